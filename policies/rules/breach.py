"""Breach detection: data access is recorded, and alerts reach the dataset's breach contacts
from every region holding its data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from guardian.modules.controls import controls_for
from guardian.policies.rules._index import Index, Store, region_of
from guardian.policies.rules._policy import has_unknown

from guardian.catalog.model import Catalog, Dataset
from guardian.findings import EVERY_KIND, Context, Finding, Rule, Scope
from guardian.graph.model import Resource

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
TRAIL = "aws:cloudtrail/trail:Trail"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DETECTOR = "aws:guardduty/detector:Detector"
_TYPE = {"s3": "AWS::S3::Object", "dynamodb": "AWS::DynamoDB::Table"}


def _target_arn(s: Store) -> str:
    """The ARN data events name: a bucket's objects, or the table."""
    return f"{s.arn}/" if s.kind == "s3" else str(s.arn)


def _advanced_covers(selector: dict[str, Any], s: Store) -> bool:
    fields = {f.get("field"): f for f in selector.get("fieldSelectors") or []
              if isinstance(f, dict)}
    category = fields.get("eventCategory", {})
    if "Data" not in (category.get("equals") or []):
        return False
    rtype = fields.get("resources.type", {})
    if _TYPE[s.kind] not in (rtype.get("equals") or []):
        return False
    arn_field = fields.get("resources.ARN")
    if not arn_field:
        return True
    target = _target_arn(s)
    probe = target + "k" if s.kind == "s3" else target
    if any(probe.startswith(p) for p in arn_field.get("notStartsWiths") or []):
        return False
    if probe in (arn_field.get("notEquals") or []):
        return False
    includes = [*(arn_field.get("equals") or []), *(arn_field.get("startsWiths") or [])]
    if not includes:
        return True
    return any(probe == v or probe.startswith(v) for v in includes)


def _classic_covers(selector: dict[str, Any], s: Store) -> bool:
    probe = _target_arn(s) + ("k" if s.kind == "s3" else "")
    for res in selector.get("dataResources") or []:
        if isinstance(res, dict) and res.get("type") == _TYPE[s.kind]:
            if any(probe.startswith(v) for v in res.get("values") or []):
                return True
    return False


def coverage(ix: Index, s: Store) -> tuple[bool | None, list[Resource]]:
    """Whether a logging trail records data events on the store (None: unknown)."""
    trails = ix.graph.of_type(TRAIL)
    unknown: list[Resource] = []
    for t in trails:
        if t.get("enableLogging") is False:
            continue
        if not (t.get("isMultiRegionTrail") is True or t.region in (None, s.region)):
            continue
        advanced, classic = t.get("advancedEventSelectors"), t.get("eventSelectors")
        if has_unknown(advanced) or has_unknown(classic) or s.arn is None:
            unknown.append(t)
            continue
        if any(_advanced_covers(x, s) for x in advanced or [] if isinstance(x, dict)) or any(
                _classic_covers(x, s) for x in classic or [] if isinstance(x, dict)):
            return True, [t]
    return (None, unknown) if unknown else (False, list(trails))


def _data_events(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in BRE_001.stores(ctx):
        assert s.dataset is not None
        if not s.dataset.sensitive:
            continue
        covered, related = coverage(ix, s)
        if covered is None:
            yield BRE_001.at(s, "trail event selectors are unknown; cannot "
                             "tell whether data events are recorded", related=related,
                             unknown=True)
        elif not covered:
            yield BRE_001.at(s, "no CloudTrail trail records data events on this "
                             "store", related=related)


class _Alerts:
    """Who the alerts reach, and from which regions EventBridge rules reach them."""

    def __init__(self, ix: Index) -> None:
        routed: set[str] = set()
        rule_regions: dict[str, set[str | None]] = {}  # topic URN -> its EventBridge rules' regions
        for t in ix.graph.of_type(EVENT_TARGET):
            for topic in ix.refs(t, "arn", (TOPIC,)):
                routed.add(topic.urn)
                rule_regions.setdefault(topic.urn, set()).add(region_of(t))  # None: unknown
        for a in ix.graph.of_type(ALARM):
            routed.update(r.urn for r in ix.refs(a, "alarmActions", (TOPIC,)))
        self.subscribed: dict[str, list[Resource]] = {}  # contact -> its subscriptions
        self.regions: dict[str, set[str | None]] = {}  # contact -> regions whose rules reach it
        self.unknown: list[Resource] = []
        self.unknown_regions: set[str | None] = set()  # rules reaching unknown endpoints
        for sub in ix.graph.of_type(SUBSCRIPTION):
            if not str(sub.get("protocol", "")).startswith("email"):
                continue
            topics = ix.refs(sub, "topic", (TOPIC,))
            if not any(t.urn in routed for t in topics):
                continue
            regions = {r for t in topics for r in rule_regions.get(t.urn, ())}
            endpoint = sub.get("endpoint")
            if has_unknown(endpoint):
                self.unknown.append(sub)
                self.unknown_regions |= regions
            elif isinstance(endpoint, str):
                self.subscribed.setdefault(endpoint.lower(), []).append(sub)
                self.regions.setdefault(endpoint.lower(), set()).update(regions)


def stance(ds: Dataset) -> str | None:
    """The severity of a breach-detection finding on this dataset's data: the rule's where the
    class's stance blocks, low where it only advises (modules/controls.py, the README's
    table)."""
    return None if controls_for(ds.classification).breach_detection == "blocks" else "low"


def contacts(catalog: Catalog, ds: Dataset) -> tuple[tuple[str, ...], bool]:
    """Who breach alerts must reach: the dataset's breach contacts, else the organization's
    contact when it is an e-mail address; and whether that fallback was taken."""
    if ds.breach_contacts:
        return ds.breach_contacts, False
    org = catalog.organization.contact
    return ((org,), True) if _EMAIL.fullmatch(org) else ((), False)


def _alert_route(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    alerts = ix.memo("alerts", _Alerts)
    for ds in ctx.catalog.datasets:
        if not contacts(ctx.catalog, ds)[0]:
            yield BRE_002.finding(
                f"{ds.id} names no breach contacts and the organization's contact "
                f"({ctx.catalog.organization.contact!r}) is no e-mail address to fall back on",
                dataset=ds.id, location=str(ds.loc) if ds.loc.line else None,
                severity=stance(ds))
    for s in BRE_002.stores(ctx):
        assert s.dataset is not None
        reach, fallback = contacts(ctx.catalog, s.dataset)
        missing = [c for c in reach if c.lower() not in alerts.subscribed]
        whose = (f" (the organization's contact: {s.dataset.id} names no breach contacts)"
                 if fallback else "")
        if missing and alerts.unknown:
            yield BRE_002.at(s, "alert subscriptions have endpoints unknown",
                             related=alerts.unknown, unknown=True, severity=stance(s.dataset))
        elif missing:
            yield BRE_002.at(s, f"no alert (EventBridge rule or alarm -> SNS e-mail "
                             f"subscription) reaches {', '.join(missing)}{whose}",
                             severity=stance(s.dataset))


class _Detectors:
    """The regions with an enabled GuardDuty detector (None: a detector's region is unknown)."""

    def __init__(self, ix: Index) -> None:
        self.managed = bool(ix.graph.of_type(DETECTOR))
        self.enabled: set[str | None] = set()
        self.unknown: list[Resource] = []
        self.disabled: dict[str | None, list[Resource]] = {}
        for d in ix.graph.of_type(DETECTOR):
            enable = d.get("enable", True)
            if has_unknown(enable):
                self.unknown.append(d)
            elif enable is False:
                self.disabled.setdefault(region_of(d), []).append(d)
            else:
                self.enabled.add(region_of(d))


def _regional_alerts(ix: Index, catalog: Catalog, s: Store) -> Iterator[Finding]:
    """Contacts EventBridge rules reach from some region but not from the store's. Contacts
    reached from nowhere are GRD-BRE-002's."""
    assert s.dataset is not None and s.region is not None
    alerts = ix.memo("alerts", _Alerts)
    missing: list[str] = []
    unsure: list[str] = []
    for contact in contacts(catalog, s.dataset)[0]:
        regions = alerts.regions.get(contact.lower(), set())
        if not regions or s.region in regions:
            continue
        unknown = None in regions or bool({None, s.region} & alerts.unknown_regions)
        (unsure if unknown else missing).append(contact)
    if missing:
        elsewhere = sorted(r for c in missing for r in alerts.regions[c.lower()] if r)
        yield BRE_003.at(s, f"no EventBridge rule in {s.region} routes alerts to "
                         f"{', '.join(missing)} (only rules in "
                         f"{', '.join(dict.fromkeys(elsewhere))} do, and a rule sees only its own "
                         "region's events)")
    elif unsure:
        yield BRE_003.at(s, f"cannot tell whether an EventBridge rule in "
                         f"{s.region} reaches {', '.join(unsure)}: a rule's region or a "
                         "subscription's endpoint is unknown", related=alerts.unknown,
                         unknown=True)


def _regional_detector(ix: Index, s: Store) -> Iterator[Finding]:
    detectors = ix.memo("guardduty", _Detectors)
    if not detectors.managed or s.region in detectors.enabled:
        return  # no detectors here: GuardDuty is managed elsewhere (e.g. a delegated admin)
    if None in detectors.enabled or detectors.unknown:
        yield BRE_003.at(s, f"cannot tell whether a GuardDuty detector is "
                         f"enabled in {s.region}", related=detectors.unknown, unknown=True)
    else:
        off = detectors.disabled.get(s.region, [])
        yield BRE_003.at(s, f"no GuardDuty detector is enabled in {s.region}"
                         + (" (the one there is disabled)" if off else ""), related=off)


def _regional(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    for s in BRE_003.stores(ctx):
        assert s.dataset is not None
        if s.dataset.sensitive and s.region is not None:  # an unknown region: GRD-RES-001
            yield from _regional_alerts(ix, ctx.catalog, s)
            yield from _regional_detector(ix, s)


BRE_001 = Rule(
    "GRD-BRE-001", "breach-detection", "high",
    "Confidential and restricted stores record data events",
    "Without object- and item-level events nobody can say whose data a breach touched, which "
    "the 72-hour notification must state.",
    "Add the store's ARN to a CloudTrail trail's data event selectors (advanced selectors "
    "eventCategory=Data, resources.type, resources.ARN).",
    ("GDPR Art. 33(3)", "GDPR Art. 32(1)(d)", "NIST AU-2", "NIST AU-12"),
    _data_events,
    scope=Scope(stores=("s3", "dynamodb")),
)
BRE_002 = Rule(
    "GRD-BRE-002", "breach-detection", "high",
    "Alerts reach the dataset's breach contacts",
    "The notification clock starts at awareness; the people who must assess and notify are the "
    "ones the alerts must reach.",
    "Subscribe each breach contact (the dataset's, else the organization's contact) by e-mail "
    "to an SNS topic that an EventBridge rule or CloudWatch alarm targets; a dataset with no "
    "contact and an organization contact that is no e-mail address needs `breach_contacts`.",
    ("GDPR Art. 33", "GDPR Art. 34", "NIST SI-4(5)", "CKV_AWS_252"), _alert_route,
    scope=Scope(stores=(EVERY_KIND,), datasets=True),  # datasets: someone to alert
)

BRE_003 = Rule(
    "GRD-BRE-003", "breach-detection", "medium",
    "Breach detection runs in every region holding confidential or restricted data",
    "EventBridge rules and GuardDuty detectors see only their own region: alerting set up in "
    "the home region stays silent about a store elsewhere.",
    "In each region holding the data, add an EventBridge rule targeting an SNS topic the breach "
    "contacts subscribe to, and an enabled aws.guardduty.Detector.",
    ("GDPR Art. 33", "GDPR Art. 32(1)(d)", "NIST IR-4", "NIST SI-4", "CKV2_AWS_3"), _regional,
    scope=Scope(stores=(EVERY_KIND,)),
)

RULES: tuple[Rule, ...] = (BRE_001, BRE_002, BRE_003)
