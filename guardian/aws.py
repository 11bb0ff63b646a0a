"""Talking to AWS: one place that builds boto3 clients and classifies their errors.

boto3 is imported only when a client is first built, so commands that never call AWS stay fast.
Every command that calls AWS takes `--region`, `--endpoint-url` and `--profile` (see
`add_aws_options`); the endpoint is how tests point Guardian at a local emulator.
"""

from __future__ import annotations

import argparse
import copy
import re
import threading
from collections.abc import Callable
from typing import Any

from guardian.errors import UserError

# botocore's standard mode retries throttling, 5xx and connection errors with backoff.
MAX_ATTEMPTS = 8

ACCESS_DENIED = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
    "UnrecognizedClientException", "InvalidClientTokenId", "AllAccessDisabled",
    "UnauthorizedAccess", "Forbidden",
})


def add_aws_options(parser: argparse.ArgumentParser, *, many_regions: bool = False) -> None:
    group = parser.add_argument_group("AWS")
    if many_regions:
        group.add_argument("--region", action="append", metavar="REGION", dest="regions",
                           help="AWS region to read (repeat for several; default: the profile's)")
    else:
        group.add_argument("--region", metavar="REGION",
                           help="AWS region (default: the profile's or AWS_DEFAULT_REGION)")
    group.add_argument("--endpoint-url", metavar="URL",
                       help="send every AWS call to this endpoint (e.g. a local emulator)")
    group.add_argument("--profile", metavar="NAME", help="named profile from the AWS config")


_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")


def check_region(region: str, option: str = "--region") -> str:
    """The region when it is spelled as AWS spells them (eu-west-1, us-gov-east-1), else a
    UserError naming the option; checked before any call."""
    if not _REGION.fullmatch(region):
        raise UserError(f"{option} {region!r} is not an AWS region name (such as eu-west-1)")
    return region


# IAM role names, with an optional path (audit/Guardian): letters, digits and +=,.@_-
_ROLE = re.compile(r"[\w+=,.@-]{1,64}(/[\w+=,.@-]{1,64})*", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)


def check_role(role: str) -> str:
    """The role name of `--assume-role` when IAM could accept it, else a UserError."""
    if not _ROLE.fullmatch(role):
        raise UserError(f"--assume-role {role!r} is not an IAM role name (letters, digits and "
                        "+=,.@_- , with an optional path such as audit/Guardian)")
    return role


def check_external_id(value: str) -> str:
    if not _EXTERNAL_ID.fullmatch(value):
        raise UserError("--external-id must be 2 to 1224 characters of letters, digits and "
                        "+=,.@:/-")
    return value


def partition(region: str | None) -> str:
    """The AWS partition a region belongs to, for ARNs."""
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def role_arn(region: str, account: str, role: str) -> str:
    """The ARN of role `role` (a name, with its path if any) in `account`."""
    return f"arn:{partition(region)}:iam::{account}:role/{role}"


def add_role_options(group: argparse._ArgumentGroup, what: str) -> None:
    """`--assume-role NAME` and `--external-id ID`: how Guardian reaches other accounts."""
    group.add_argument("--assume-role", metavar="NAME",
                       help=f"the IAM role to assume in each account {what} (its name, with "
                       "its path if any)")
    group.add_argument("--external-id", metavar="ID",
                       help="with --assume-role: the external id its trust policy requires")


def check_endpoint(url: str) -> str:
    """The URL when it is an http(s) URL with a host, else a UserError naming --endpoint-url."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        raise UserError(f"--endpoint-url {url!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(
            c.isspace() for c in url):
        raise UserError(f"--endpoint-url {url!r} is not an http:// or https:// URL with a host")
    return url


class Clients:
    """boto3 clients by (service, region), built once, all from one session."""

    def __init__(self, *, profile: str | None = None, endpoint_url: str | None = None,
                 max_attempts: int = MAX_ATTEMPTS, retry_mode: str = "standard",
                 connect_timeout: float = 10, read_timeout: float = 30) -> None:
        """`retry_mode` "adaptive" also paces calls on the client side once AWS throttles;
        the timeouts bound what a connection that answers nothing costs."""
        import boto3
        import botocore.config
        import botocore.exceptions

        if endpoint_url is not None:
            check_endpoint(endpoint_url)
        try:
            self.session = boto3.Session(profile_name=profile)
        except botocore.exceptions.ProfileNotFound as exc:
            raise UserError(f"--profile {profile!r}: {exc}") from None
        self.endpoint_url = endpoint_url
        self._config = botocore.config.Config(
            retries={"mode": retry_mode, "max_attempts": max_attempts},
            connect_timeout=connect_timeout, read_timeout=read_timeout,
            # Regional S3 endpoints with an emulator too; path style works for every bucket name.
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()  # a boto3 session is not thread-safe; its clients are

    @property
    def default_region(self) -> str | None:
        return self.session.region_name

    def region_or_default(self, region: str | None) -> str:
        chosen = region or self.default_region
        if not chosen:
            raise UserError("no AWS region: pass --region or set one in the profile")
        return check_region(chosen, "--region" if region else "the profile's region")

    def assume(self, role_arn: str, external_id: str | None, session_name: str,
               region: str) -> Clients:
        """Clients with the same endpoint and settings, signed with the temporary credentials
        of `role_arn` (sts:AssumeRole through `region`, which becomes their default region).
        Each set has its own boto3 session, so each may be used from its own thread. The role
        is assumed now (its failure, or an answer that does not hold usable credentials, is
        raised here) and again, by botocore's refreshable credentials, before the ones it gave
        expire (15 minutes before; blocking every call from 10 minutes before): a run longer
        than their lifetime keeps its access, and a renewal that fails is the failure, an
        `Unread` of sts:AssumeRole, of the calls that needed it."""
        import boto3
        import botocore.session
        from botocore.credentials import CredentialResolver, RefreshableCredentials

        kwargs = {"RoleArn": role_arn, "RoleSessionName": session_name}
        if external_id:
            kwargs["ExternalId"] = external_id
        sts = self("sts", region)

        def fetch() -> dict[str, str]:
            return _usable(taken(ASSUME_ROLE, _credentials, sts.assume_role(**kwargs)))

        def refresh() -> dict[str, str]:
            """fetch, later: raised from the call whose signing needed it, its failure is
            named as AssumeRole's (Unread), not as that call's."""
            try:
                return fetch()
            except Exception as exc:
                code = failure_code(exc)
                if code is None:
                    raise
                raise Unread(ASSUME_ROLE, code) from None

        credentials = RefreshableCredentials.create_from_metadata(fetch(), refresh,
                                                                  "assume-role")
        core = botocore.session.Session()
        core.register_component("credential_provider", CredentialResolver([_Given(credentials)]))
        other = copy.copy(self)
        other.session = boto3.Session(botocore_session=core, region_name=region)
        other._clients = {}
        other._lock = threading.Lock()
        return other

    def __call__(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self.session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url,
                    config=self._config)
            return self._clients[key]


ASSUME_ROLE = "sts:AssumeRole"


def _credentials(answer: Any) -> dict[str, str]:
    """An AssumeRole answer's credentials, as botocore's refreshable credentials take them."""
    from datetime import datetime

    given = answer["Credentials"]
    out = {"access_key": given["AccessKeyId"], "secret_key": given["SecretAccessKey"],
           "token": given["SessionToken"], "expiry_time": given["Expiration"]}
    if not all(isinstance(v, str) and v for k, v in out.items() if k != "expiry_time") or \
            not isinstance(out["expiry_time"], datetime) or out["expiry_time"].tzinfo is None:
        raise TypeError("credentials of another shape")
    return {**out, "expiry_time": out["expiry_time"].isoformat()}


def _usable(credentials: dict[str, str]) -> dict[str, str]:
    """Credentials that have not expired yet (else the answer is the call's failure,
    ExpiredCredentials: a clock far off, or a replayed answer), never botocore's
    RuntimeError on its first use."""
    from datetime import UTC, datetime

    if datetime.fromisoformat(credentials["expiry_time"]) <= datetime.now(UTC):
        raise Unread(ASSUME_ROLE, EXPIRED)
    return credentials


class _Given:
    """A credential provider (botocore's interface) that gives the credentials it holds."""

    METHOD = CANONICAL_NAME = "custom-guardian-assume-role"

    def __init__(self, credentials: Any) -> None:
        self.credentials = credentials

    def load(self) -> Any:
        return self.credentials


MALFORMED = "MalformedResponse"  # a successful answer without a field taken from it
EXPIRED = "ExpiredCredentials"  # temporary credentials that had expired when they came
NOT_RECORDED = "NotRecordedByAWSConfig"  # a setting the AWS Config source holds no record of


class Unread(Exception):
    """A call failed; `code` says why. The value it would have given is unknown."""

    def __init__(self, call: str, code: str) -> None:
        super().__init__(f"{call}: {code}")
        self.call, self.code = call, code


def taken(call: str, pick: Callable[[Any], Any], answer: Any) -> Any:
    """pick(answer): the one place a successful answer is taken apart. A field it lacks or
    holds with another type (a proxy, an older API, a partial answer) is the call's failure,
    MalformedResponse (Unread), never a traceback."""
    try:
        return pick(answer)
    except (KeyError, TypeError, AttributeError, IndexError, StopIteration):
        raise Unread(call, MALFORMED) from None


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, None for anything else."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


def is_access_denied(exc: BaseException) -> bool:
    """Refused for lack of permission: a known code, or an HTTP 403 whatever its body says."""
    response = getattr(exc, "response", None)
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") \
        if isinstance(response, dict) else None
    return error_code(exc) in ACCESS_DENIED or status == 403


def failure_code(exc: BaseException) -> str | None:
    """Why an AWS call failed past its retries, for the record: a ClientError's error code
    (`HTTP <status>` when the answer named none), an `Unread`'s code, MalformedResponse when
    botocore's parser broke on the answer (a structure given as a string, a cut-off body),
    else the botocore exception's name (EndpointConnectionError, ConnectionClosedError,
    ReadTimeoutError, ...). None for a setup error (no credentials, region or profile) and for
    anything that is not an AWS failure."""
    import botocore.exceptions as bx

    if isinstance(exc, Unread):
        return exc.code
    if isinstance(exc, bx.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error_code(exc)  # botocore gives the status as the code of a bare answer
        return code if code and not code.isdigit() else f"HTTP {status or code}"
    if isinstance(exc, bx.BotoCoreError) and setup_error(exc) is None:
        return type(exc).__name__
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    parser = tb is not None and tb.tb_frame.f_globals.get("__name__") == "botocore.parsers"
    return MALFORMED if parser else None


def setup_error(exc: BaseException) -> UserError | None:
    """A UserError when the AWS setup is missing a piece (credentials, region, profile): the
    user's to fix, never an outage to retry or resume after. Else None."""
    import botocore.exceptions as bx

    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return UserError(f"no AWS credentials ({exc}); use --profile or the AWS_* variables")
    if isinstance(exc, bx.NoRegionError):
        return UserError("no AWS region: pass --region or set one in the profile")
    if isinstance(exc, bx.ProfileNotFound):
        return UserError(str(exc))
    return None


def credentials_error(exc: BaseException) -> UserError | None:
    """A UserError for a `setup_error` or an unreachable endpoint, else None."""
    import botocore.exceptions as bx

    if isinstance(exc, bx.EndpointConnectionError):
        return UserError(f"cannot reach AWS: {exc}")
    return setup_error(exc)
