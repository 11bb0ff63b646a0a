"""checkov on a Pulumi deployment: the graph as a Terraform plan, checkov's findings mapped back.

checkov runs in a subprocess of this Python (`python -m guardian.checkov_runner`), offline:
`--skip-download`, no API key, no repository-config fetching, and its import-time PyPI update
check disabled, so no run reaches the network. A failed check is reported as rule `CKV_...` on
the Pulumi resource, or on the data store it serves (helper resources go in `related`), with a
control from the table below or from the check's category. Checks the platform does not pass on
purpose are listed with their reason in `policies/checkov/skips.yaml`; they show as waived
results, never vanish. checkov missing or failing is a UserError (exit 2), never an empty pass.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from guardian.catalog.model import Catalog, Location, Waiver
from guardian.errors import UserError
from guardian.findings import Report, Result, Rule, blocks
from guardian.graph.model import Resource, ResourceGraph
from guardian.graph.tfplan import to_tfplan
from guardian.policies.rules._index import Index

# policies/checkov in a checkout, guardian/policies/checkov when installed
_SPEC = find_spec("guardian.policies.checkov")
CHECKS_DIR = Path(_SPEC.origin if _SPEC and _SPEC.origin else "policies/checkov/x").parent
# YAML graph checks live apart: see the note in policies/checkov_graph/privacy_cmk_s3.yaml
GRAPH_CHECKS_DIR = CHECKS_DIR.parent / "checkov_graph"
CUSTOM_CHECKS = (CHECKS_DIR, GRAPH_CHECKS_DIR)
SKIPS_FILE = CHECKS_DIR / "skips.yaml"
SKIPS_APPROVER = "policies/checkov/skips.yaml"
TIMEOUT_S = 1800  # a 19,000-resource plan took ~10 min on a loaded 2-core machine

# Environment for the checkov process: nothing that could make it phone home.
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "CKV_GITHUB_CONFIG_FETCH_DATA": "False",
    "CKV_GITLAB_CONFIG_FETCH_DATA": "False",
    "CKV_BITBUCKET_CONFIG_FETCH_DATA": "False",
    "CKV_VALIDATE_SECRETS": "False",
    "CHECKOV_NO_OUTPUT": "False",
    "LOG_LEVEL": "WARNING",
}
_SECRET_ENV = ("BC_API_KEY", "PRISMA_API_URL", "BC_API_URL", "CKV_OPENAI_API_KEY")

# checkov category -> control, where a check has no entry in CONTROL_OF
CATEGORY_CONTROL = {
    "ENCRYPTION": "encryption-at-rest",
    "LOGGING": "breach-detection",
    "NETWORKING": "network-segmentation",
    "IAM": "access-control",
    "BACKUP_AND_RECOVERY": "retention",
    "SECRETS": "access-control",
    "GENERAL_SECURITY": "access-control",
    "CONVENTION": "inventory",
}
# Well-known checks whose category says less than their subject.
CONTROL_OF = {
    **dict.fromkeys(("CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56",
                     "CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_17", "CKV_AWS_70", "CKV_AWS_33",
                     "CKV_AWS_283"), "public-access"),
    **dict.fromkeys(("CKV2_AWS_61", "CKV_AWS_300", "CKV_AWS_21", "CKV_AWS_28", "CKV_AWS_66",
                     "CKV_AWS_338", "CKV_AWS_133"), "retention"),
    **dict.fromkeys(("CKV_AWS_18", "CKV2_AWS_11", "CKV_AWS_35", "CKV_AWS_36", "CKV_AWS_67",
                     "CKV_AWS_252", "CKV2_AWS_10", "CKV2_AWS_3"), "breach-detection"),
    **dict.fromkeys(("CKV2_AWS_62", "CKV_AWS_144"), "retention"),
    **dict.fromkeys(("CKV_AWS_83", "CKV_AWS_6", "CKV_AWS_92", "CKV2_AWS_69"),
                    "encryption-in-transit"),
    "CKV_GRD_1": "inventory",
}
# Checks that block the default gate (fail-on high); checkov offline has no severities.
HIGH = frozenset({
    "CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV_AWS_20",
    "CKV_AWS_57", "CKV_AWS_17", "CKV_AWS_70", "CKV_AWS_33", "CKV_AWS_24", "CKV_AWS_25",
    "CKV_AWS_260", "CKV_AWS_277", "CKV_AWS_19", "CKV_AWS_16", "CKV_AWS_3", "CKV_AWS_42",
    "CKV_AWS_64", "CKV_AWS_5", "CKV_AWS_119", "CKV_GRD_2", "CKV2_GRD_2",
})

# Our checkov check that a store carries a privacy:dataset tag; a store the catalog names by its
# name is bound without one, as `guardian check` binds it.
TAG_CHECK = "CKV_GRD_1"
UNMAPPED_RULE = Rule(
    id="GRD-CKV-001",
    control="inventory",
    severity="info",
    title="Resource not checked by checkov: its type has no Terraform mapping",
    rationale="checkov reads Terraform plans; a Pulumi type without a mapping is invisible to "
    "it, and an unchecked resource must not look like a passing one.",
    remediation="Add the type to guardian.graph.tfplan.TYPES, or review the resource by hand.",
    references=(),
)


@dataclass(frozen=True)
class Skip:
    check: str
    reason: str
    resources: tuple[str, ...]  # Pulumi resource names (globs); () = every resource
    loc: Location

    def covers(self, check: str, resource: Resource) -> bool:
        return check == self.check and (
            not self.resources or any(fnmatch.fnmatchcase(resource.name, g)
                                      for g in self.resources))


# --- running checkov --------------------------------------------------------------------------


def checkov_available() -> bool:
    return find_spec("checkov") is not None


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SECRET_ENV}
    env.update(OFFLINE_ENV)
    return env


def _dirs(external_checks_dir: Path | Sequence[Path] | None) -> list[Path]:
    if external_checks_dir is None:
        return []
    return [external_checks_dir] if isinstance(external_checks_dir, Path) else list(
        external_checks_dir)


def run_checkov_plan(
    plan: Mapping[str, Any], *, external_checks_dir: Path | Sequence[Path] | None = CUSTOM_CHECKS
) -> dict[str, Any]:
    """checkov's JSON report on a plan, with `categories` (check id -> category) added."""
    if not checkov_available():
        raise UserError(
            f"checkov is not installed in this Python ({sys.executable}); install guardian "
            "with its dependencies (checkov>=3.1.47,<3.2) or run without --checkov"
        )
    with tempfile.TemporaryDirectory(prefix="guardian-checkov-") as tmp:
        plan_file, categories_file = Path(tmp) / "plan.json", Path(tmp) / "categories.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        args = ["--framework", "terraform_plan", "--skip-download", "--compact", "-o", "json",
                "-f", str(plan_file)]
        for directory in _dirs(external_checks_dir):
            args += ["--external-checks-dir", str(directory)]
        cmd = [sys.executable, "-m", "guardian.checkov_runner", str(categories_file), *args]
        try:
            proc = subprocess.run(cmd, cwd=tmp, env=_env(), capture_output=True, text=True,
                                  timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UserError(f"checkov could not run: {exc}") from None
        report = _parse(proc)
        try:
            report["categories"] = json.loads(categories_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            report["categories"] = {}
    return report


def _parse(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    def failure(why: str) -> UserError:
        tail = "\n".join((proc.stderr or proc.stdout or "").strip().splitlines()[-15:])
        return UserError(f"checkov failed ({why}, exit {proc.returncode})"
                         + (f":\n{tail}" if tail else ""))

    if proc.returncode not in (0, 1):
        raise failure("it did not finish")
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        raise failure("its output is not JSON") from None
    reports = data if isinstance(data, list) else [data]
    found = [r for r in reports if isinstance(r, dict) and r.get("check_type") == "terraform_plan"]
    if not found:
        raise failure("it reported no terraform_plan results")
    report = found[0]
    errors = report.get("summary", {}).get("parsing_errors") or 0
    if errors:
        raise failure(f"it could not parse the plan ({errors} parsing error(s))")
    return dict(report)


def _launch(argv: Sequence[str]) -> int:
    """Entry point of the checkov subprocess: checkov's CLI without its network calls."""
    import warnings

    import checkov.common.version_manager as version_manager

    # checkov's banner asks PyPI for a newer release at import time; this must not.
    version_manager.check_for_update = lambda package, version: None
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.main import Checkov

    # checkov 3.1.x skips its built-in graph checks when external ones were loaded first.
    get_graph_checks_registry("terraform").load_checks()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = Checkov(argv=list(argv[1:])).run()
    _write_categories(Path(argv[0]))
    return int(code or 0)


def _write_categories(path: Path) -> None:
    """check id -> checkov category, for every check loaded (built in and external)."""
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    categories: dict[str, str] = {}
    for checks in resource_registry.checks.values():
        for check in checks:
            if check.categories:
                categories[check.id] = check.categories[0].name
    for check in get_graph_checks_registry("terraform").checks:
        if check.category:
            categories[check.id] = str(check.category)
    path.write_text(json.dumps(categories, sort_keys=True), encoding="utf-8")


# --- skips ------------------------------------------------------------------------------------


def load_skips(path: Path = SKIPS_FILE) -> list[Skip]:
    """The documented skip list; every entry needs a check id and a reason."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if not path.exists():
        return []
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        raise UserError(f"{path}: not valid YAML: {exc}") from None
    entries = (data or {}).get("skips") or []
    skips = []
    for i, entry in enumerate(entries):
        line = entry.lc.line + 1 if hasattr(entry, "lc") else 0
        where = f"{path}:{line}: skips[{i}]"
        if not isinstance(entry, Mapping):
            raise UserError(f"{where}: expected a mapping with check and reason")
        check, reason = entry.get("check"), entry.get("reason")
        resources = entry.get("resources") or []
        if not isinstance(check, str) or not check.strip():
            raise UserError(f"{where}.check: a checkov check id is required")
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(f"{where}.reason: every skip needs its reason")
        if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
            raise UserError(f"{where}.resources: expected a list of Pulumi resource names")
        skips.append(Skip(check.strip(), " ".join(reason.split()), tuple(resources),
                          Location(str(path), line, 1)))
    return skips


# --- mapping findings back --------------------------------------------------------------------


def _rule(check: Mapping[str, Any], categories: Mapping[str, str]) -> Rule:
    cid = str(check["check_id"])
    category = categories.get(cid, "")
    control = CONTROL_OF.get(cid) or CATEGORY_CONTROL.get(category, "access-control")
    guideline = check.get("guideline")
    return Rule(
        id=cid,
        control=control,
        severity="high" if cid in HIGH else "medium",
        title=str(check.get("check_name") or cid),
        rationale=f"checkov check {cid}" + (f" ({category.lower()})" if category else ""),
        remediation=(f"See {guideline}. " if guideline else
                     f"Fix the resource so that checkov's {cid} passes. ")
        + f"To accept it, add a waiver (rule {cid}, the resource's name, a reason) to the "
        "catalog's `waivers`, or skip the check with --skip-rule " + cid + ".",
        references=(cid, *((str(guideline),) if guideline else ())),
    )


def _waiver(waivers: Iterable[Waiver], rule: str, resources: Iterable[Resource]) -> Waiver | None:
    today = date.today()
    keys = {k for r in resources for k in (r.name, r.urn)}
    for w in waivers:
        if w.rule == rule and w.resource in keys and w.expires >= today:
            return w
    return None


def _skip_waiver(skip: Skip) -> Waiver:
    return Waiver(rule=skip.check, resource=",".join(skip.resources) or "*", reason=skip.reason,
                  approved_by=SKIPS_APPROVER, expires=date.max, loc=skip.loc)


def run_checkov(
    graph: ResourceGraph,
    catalog: Catalog,
    *,
    external_checks_dir: Path | Sequence[Path] | None = CUSTOM_CHECKS,
    skips: Sequence[Skip] | None = None,
    fail_on: str = "high",
) -> list[Result]:
    """checkov's failed checks on the graph as results, plus one note per unmapped resource."""
    skips = load_skips() if skips is None else skips
    plan, _ = to_tfplan(graph)
    ix = Index(catalog, graph)  # the rules' binding: tag, else the catalog's storage names
    results: list[Result] = []
    for r in graph:
        if r.custom and r.type in plan["guardian"]["unmapped"]:
            finding = UNMAPPED_RULE.finding(
                f"{r.type} {r.name!r} was not checked by checkov: no Terraform mapping",
                resource=r, unknown=True)
            results.append(Result(finding, UNMAPPED_RULE, "info", blocking=False,
                                  locations=graph.declared_at(r.urn)))
    if not plan["planned_values"]["root_module"]["resources"]:
        return results
    report = run_checkov_plan(plan, external_checks_dir=external_checks_dir)
    by_address = plan["guardian"]["addresses"]
    categories = report.get("categories") or {}
    for check in report.get("results", {}).get("failed_checks") or []:
        address = check.get("resource_address") or check.get("resource")
        resource = graph.by_urn(by_address.get(address, ""))
        if resource is None:
            raise UserError(f"checkov reported {check.get('check_id')} on {address!r}, "
                            "which is not in the plan")
        store = ix.store_of(resource)
        rule = _rule(check, categories)
        if rule.id == TAG_CHECK and store is not None and store.dataset is not None:
            continue  # the catalog names the store: bound, as the rules bind it
        message = f"{rule.title} ({address})"
        finding = (rule.at(store, message, related=[resource]) if store is not None
                   else rule.finding(message, resource=resource))
        skip = next((s for s in skips if s.covers(rule.id, resource)), None)
        on = store.resource if store is not None else resource
        waiver = _skip_waiver(skip) if skip else _waiver(catalog.waivers, rule.id, (on, resource))
        blocking = waiver is None and blocks(rule.severity, fail_on)
        results.append(Result(finding, rule, rule.severity, blocking, waiver,
                              locations=graph.declared_at(on.urn)))
    return results


def merge_checkov(report: Report, graph: ResourceGraph, catalog: Catalog,
                  keep: Callable[[Rule], bool] = lambda rule: True) -> Report:
    """`report` with checkov's results merged in (same threshold, same waivers), those whose
    check `keep` refuses (--rule, --skip-rule) left out; valued and ordered as the rules'
    results are (`guardian.check.ranked`)."""
    from guardian.check import ranked

    extra = [r for r in run_checkov(graph, catalog, fail_on=report.fail_on) if keep(r.rule)]
    used = {r.waiver for r in extra if r.waiver is not None}
    return ranked(replace(
        report,
        results=(*report.results, *extra),
        unused_waivers=tuple(w for w in report.unused_waivers if w not in used),
    ), catalog)


if __name__ == "__main__":
    sys.exit(_launch(sys.argv[1:]))
