"""Every account of an AWS Organization -> one ResourceGraph, each read as `--live` reads one.

The accounts come from AWS Organizations (`ListAccounts`, the active ones) or are named
(`--accounts`). In each, the audit role is assumed (`sts:AssumeRole`, with the external id when
one is given) and the account is read by `guardian.graph.live` in the regions named, else in
every region enabled for that account (`ec2:DescribeRegions`). Accounts are read concurrently by
a bounded pool of threads, each account with its own boto3 session and botocore's adaptive
retries, so a throttled account slows down alone.

Nothing is skipped in silence: an account whose role cannot be assumed, whose regions cannot be
listed or from which nothing at all can be read is an account-wide `ReadGap`, which GRD-INV-006
turns into a blocking `unknown` for that account; what failed inside an account is its own gaps,
as for one account. Every resource and gap names its account.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guardian.aws import Clients, role_arn
from guardian.errors import UserError
from guardian.graph.model import ReadGap, Resource, ResourceGraph, Source, account_status
from guardian.graph.options import DEFAULT_PARALLEL, MAX_PARALLEL

if TYPE_CHECKING:
    from guardian.graph.live import ClientFactory

ACCOUNT = re.compile(r"[0-9]{12}")
SESSION_NAME = "guardian-audit"
# What an account that cannot be read leaves unchecked: every control.
EVERY_CONTROL = ("inventory", "encryption-at-rest", "encryption-in-transit", "public-access",
                 "retention", "residency", "purpose-limitation", "third-party-sharing",
                 "network-segmentation", "breach-detection", "access-control")
ENABLED = ("opt-in-not-required", "opted-in")  # region opt-in states an account can use
LIST_ACCOUNTS, DESCRIBE_REGIONS = "organizations:ListAccounts", "ec2:DescribeRegions"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AccountRead:
    """What one account gave: its resources and gaps, each naming the account."""

    account: str
    regions: tuple[str, ...]
    resources: tuple[Resource, ...] = ()
    gaps: tuple[ReadGap, ...] = ()

    @property
    def status(self) -> str:
        return account_status(self.gaps)


def parse_accounts(values: Sequence[str]) -> list[str]:
    """Account ids from `--accounts`: each value a 12-digit id or a file of them (one a line,
    `#` starts a comment). UserError naming the value, or the file and line, otherwise."""
    from guardian.io import read_text

    out: list[str] = []
    for value in values:
        if ACCOUNT.fullmatch(value):
            out.append(value)
            continue
        if not Path(value).exists():
            raise UserError(f"--accounts {value!r} is neither a 12-digit AWS account id nor a "
                            "file of them")
        found = 0
        for n, line in enumerate(read_text(Path(value), "--accounts").splitlines(), 1):
            ident = line.split("#", 1)[0].strip()
            if not ident:
                continue
            if not ACCOUNT.fullmatch(ident):
                raise UserError(f"{value}:{n}: {ident[:40]!r} is not a 12-digit AWS account id")
            out.append(ident)
            found += 1
        if not found:
            raise UserError(f"{value}: names no account")
    return list(dict.fromkeys(out))


def _listed(pages: Any) -> list[tuple[str, bool]]:
    """(id, active) of each account ListAccounts gave: its `State`, or its `Status` (retired
    by AWS in September 2026) when it has none; both missing, or an id that is not an account
    id, is a malformed answer."""
    out = []
    for page in pages:
        for item in page.get("Accounts") or ():
            ident, state = item["Id"], item["State"] if "State" in item else item["Status"]
            if not isinstance(ident, str) or not ACCOUNT.fullmatch(ident) or \
                    not isinstance(state, str):
                raise TypeError(f"{item!r} is not an account")
            out.append((ident, state == "ACTIVE"))
    return out


def _enabled(answer: Any) -> list[str]:
    """The regions a DescribeRegions answer says the account can use."""
    out = []
    for r in answer["Regions"]:
        name, opt_in = r["RegionName"], r["OptInStatus"]
        if not isinstance(name, str) or not isinstance(opt_in, str):
            raise TypeError(f"{r!r} is not a region")
        if opt_in in ENABLED:
            out.append(name)
    return sorted(out)


def organization_accounts(clients: Clients, region: str) -> tuple[list[str], list[str]]:
    """The organisation's active accounts, and the others (suspended, pending closure), which
    cannot be read. UserError when Organizations does not answer, or answers what cannot be
    taken apart."""
    from guardian.aws import MALFORMED, failure_code, taken

    try:
        pages = clients("organizations", region).get_paginator("list_accounts").paginate()
        listed = taken(LIST_ACCOUNTS, _listed, list(pages))
    except Exception as exc:
        code = failure_code(exc)
        if code is None:
            raise
        hint = ("its answer lacked a field Guardian reads, or held it with another type (a "
                "proxy in the way, an SDK older than the service); rerun, or report it"
                if code == MALFORMED else "run it with the management account's or a "
                "delegated administrator's credentials")
        raise UserError(f"--organization: {LIST_ACCOUNTS} failed ({code}); {hint}, or name "
                        "the accounts with --accounts") from None
    active = [a for a, is_active in listed if is_active]
    if not active:
        raise UserError("--organization: the organisation lists no active account")
    return active, [a for a, is_active in listed if not is_active]


def read_account(clients: Clients, account: str, role: str, external_id: str | None,
                 home: str, regions: Sequence[str], *,
                 allow_partial: bool = False) -> AccountRead:
    """One account through its assumed role; what AWS refused or failed is a gap, never an
    exception."""
    from guardian.aws import ASSUME_ROLE, failure_code, taken

    def failed(call: str, code: str, why: str) -> AccountRead:
        return unread_account(account, regions, call, code, why)

    arn = role_arn(home, account, role)
    try:
        mine = clients.assume(arn, external_id, SESSION_NAME, home)
    except Exception as exc:
        code = failure_code(exc)
        if code is None:
            raise
        return failed(ASSUME_ROLE, code, f"the role {arn} could not be assumed")
    if not regions:
        try:
            regions = taken(DESCRIBE_REGIONS, _enabled,
                            mine("ec2", home).describe_regions(AllRegions=False))
        except Exception as exc:
            code = failure_code(exc)
            if code is None:
                raise
            return failed(DESCRIBE_REGIONS, code, "its enabled regions could not be listed")
    return read_in(account, mine, regions, allow_partial=allow_partial)


def unread_account(account: str, regions: Sequence[str], call: str, code: str,
                   why: str) -> AccountRead:
    """An account of which nothing could be read: one account-wide gap."""
    return AccountRead(account, tuple(regions), gaps=(ReadGap(
        call, code, f"anything in account {account} ({why})", listing=True,
        controls=EVERY_CONTROL, account=account, account_wide=True),))


def read_in(account: str, clients: ClientFactory, regions: Sequence[str], *,
            allow_partial: bool = False) -> AccountRead:
    """The account `clients` answer for, read by `guardian.graph.live`, every resource and gap
    naming it."""
    from guardian.graph.live import read_live

    try:
        graph = read_live(clients, regions, allow_partial=allow_partial)
    except UserError as exc:  # nothing at all could be read
        return unread_account(account, regions, "read", "Unreadable", str(exc))
    return AccountRead(account, tuple(regions),
                       tuple(replace(r, account=account) for r in graph.resources),
                       tuple(replace(g, account=account) for g in graph.gaps))


def read_organization(clients: Clients, accounts: Sequence[str], role: str,
                      external_id: str | None, home: str, regions: Sequence[str], *,
                      parallel: int = DEFAULT_PARALLEL, allow_partial: bool = False,
                      not_active: Sequence[str] = (), label: str = "organization",
                      progress: Progress | None = None) -> ResourceGraph:
    """Every account, `parallel` at a time, into one graph whose source names every account
    it set out to read, and those the organisation lists as not active (named, not read)."""
    clients("sts", home)  # built here, once: the threads share it (boto3 clients are)
    source = Source("live", f"aws://{label}/{','.join(regions) or 'enabled-regions'}",
                    accounts=tuple(sorted(set(accounts))), inactive=tuple(not_active))
    return fan_out(source, lambda a: read_account(clients, a, role, external_id, home, regions,
                                                  allow_partial=allow_partial),
                   parallel=parallel, progress=progress)


def fan_out(source: Source, read: Callable[[str], AccountRead], *,
            parallel: int = DEFAULT_PARALLEL, progress: Progress | None = None,
            gaps: Sequence[ReadGap] = ()) -> ResourceGraph:
    """read(account) for every account of `source`, `parallel` at a time, into one graph (with
    `gaps` besides the accounts' own)."""
    ids = source.accounts
    reads: dict[str, AccountRead] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(ids))),
                            thread_name_prefix="guardian-account") as pool:
        for future in as_completed([pool.submit(read, a) for a in ids]):
            done = future.result()
            reads[done.account] = done
            if progress:
                progress(f"[{len(reads)}/{len(ids)}] account {done.account}: {done.status} "
                         f"({len(done.regions)} region(s), {len(done.resources)} resources, "
                         f"{len(done.gaps)} gap(s))")
    return ResourceGraph((r for a in ids for r in reads[a].resources), source,
                         (*gaps, *(g for a in ids for g in reads[a].gaps)))


@dataclass(frozen=True)
class Fleet:
    """What an audit of several accounts (--organization, --accounts, --source aws-config)
    takes from the command line, checked before anything is called."""

    clients: Clients
    home: str  # the region global calls go through: the first --region, else the profile's
    regions: list[str]
    named: list[str]  # --accounts
    role: str | None
    external_id: str | None
    parallel: int
    allow_partial: bool
    progress: Progress | None  # each finished account, on a terminal


def read_fleet(args: argparse.Namespace,
               read: Callable[[Fleet, list[str], list[str]], ResourceGraph]) -> ResourceGraph:
    """read(fleet, accounts, the organisation's accounts not active): the accounts
    --organization lists, else those --accounts names; a credentials problem is exit 2."""
    from guardian.aws import check_external_id, check_region, check_role, credentials_error
    from guardian.graph.live import live_clients

    role = check_role(args.assume_role) if args.assume_role else None
    if args.external_id and not role:
        raise UserError("--external-id applies with --assume-role")
    external_id = check_external_id(args.external_id) if args.external_id else None
    if not 1 <= args.parallel <= MAX_PARALLEL:
        raise UserError(f"--parallel must be between 1 and {MAX_PARALLEL}, not {args.parallel}")
    regions = [check_region(r) for r in args.region or []]
    named = parse_accounts(args.accounts or [])
    clients = live_clients(args)
    home = regions[0] if regions else check_region(clients.default_region or "us-east-1",
                                                   "the profile's region")
    fleet = Fleet(clients, home, regions, named, role, external_id, args.parallel,
                  bool(args.allow_partial),
                  (lambda m: print(f"live: {m}", file=sys.stderr, flush=True))
                  if sys.stderr.isatty() else None)
    try:
        accounts, not_active = organization_accounts(clients, home) if args.organization \
            else (named, [])
        return read(fleet, accounts, not_active)
    except Exception as exc:
        user = credentials_error(exc)
        if user is None:
            raise
        raise user from None


def read_organization_from_args(args: argparse.Namespace) -> ResourceGraph:
    """`guardian check --live --organization | --accounts ID|FILE ...`."""
    if not args.assume_role:
        raise UserError("--organization and --accounts need --assume-role NAME: the role "
                        "Guardian assumes in each account to read it")

    def read(f: Fleet, accounts: list[str], not_active: list[str]) -> ResourceGraph:
        assert f.role is not None  # required above
        return read_organization(
            f.clients, accounts, f.role, f.external_id, f.home, f.regions, parallel=f.parallel,
            allow_partial=f.allow_partial, not_active=not_active,
            label="organization" if args.organization else "accounts", progress=f.progress)

    return read_fleet(args, read)
