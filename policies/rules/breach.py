"""Breach detection: data access is recorded, and alerts reach the dataset's breach contacts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardian.policies.rules._index import Index, Store, index
from guardian.policies.rules._policy import has_unknown

from guardian.catalog.model import Catalog
from guardian.findings import Finding, Rule
from guardian.graph.model import Resource, ResourceGraph

TRAIL = "aws:cloudtrail/trail:Trail"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
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
    """Whether a logging trail records data events on the store (None: unknown offline)."""
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


def _data_events(catalog: Catalog, graph: ResourceGraph) -> Iterator[Finding]:
    ix = index(catalog, graph)
    for s in ix.bound_of("s3", "dynamodb"):
        assert s.dataset is not None
        if not s.dataset.sensitive:
            continue
        covered, related = coverage(ix, s)
        if covered is None:
            yield s.finding("GRD-BRE-001", "trail event selectors are unknown offline; cannot "
                            "tell whether data events are recorded", related=related,
                            unknown=True)
        elif not covered:
            yield s.finding("GRD-BRE-001", "no CloudTrail trail records data events on this "
                            "store", related=related)


class _Alerts:
    def __init__(self, ix: Index) -> None:
        routed: set[str] = set()
        for t in ix.graph.of_type(EVENT_TARGET):
            routed.update(r.urn for r in ix.refs(t, "arn", (TOPIC,)))
        for a in ix.graph.of_type(ALARM):
            routed.update(r.urn for r in ix.refs(a, "alarmActions", (TOPIC,)))
        self.subscribed: dict[str, list[Resource]] = {}  # contact -> its subscriptions
        self.unknown: list[Resource] = []
        for sub in ix.graph.of_type(SUBSCRIPTION):
            if not str(sub.get("protocol", "")).startswith("email"):
                continue
            topics = ix.refs(sub, "topic", (TOPIC,))
            if not any(t.urn in routed for t in topics):
                continue
            endpoint = sub.get("endpoint")
            if has_unknown(endpoint):
                self.unknown.append(sub)
            elif isinstance(endpoint, str):
                self.subscribed.setdefault(endpoint.lower(), []).append(sub)


def _alert_route(catalog: Catalog, graph: ResourceGraph) -> Iterator[Finding]:
    ix = index(catalog, graph)
    alerts = ix.memo("alerts", _Alerts)
    for s in ix.bound:
        assert s.dataset is not None
        contacts = s.dataset.breach_contacts
        missing = [c for c in contacts if c.lower() not in alerts.subscribed]
        if not contacts:
            yield s.finding("GRD-BRE-002", f"{s.dataset.id} names no breach contacts")
        elif missing and alerts.unknown:
            yield s.finding("GRD-BRE-002", "alert subscriptions have endpoints unknown offline",
                            related=alerts.unknown, unknown=True)
        elif missing:
            yield s.finding("GRD-BRE-002", f"no alert (EventBridge rule or alarm -> SNS e-mail "
                            f"subscription) reaches {', '.join(missing)}")


BRE_001 = Rule(
    "GRD-BRE-001", "breach-detection", "high",
    "Confidential and restricted stores record data events",
    "Without object- and item-level events nobody can say whose data a breach touched, which "
    "the 72-hour notification must state.",
    "Add the store's ARN to a CloudTrail trail's data event selectors (advanced selectors "
    "eventCategory=Data, resources.type, resources.ARN).",
    ("GDPR Art. 33(3)", "GDPR Art. 32(1)(d)", "NIST AU-2", "NIST AU-12", "NIST IR-6"),
    _data_events,
)
BRE_002 = Rule(
    "GRD-BRE-002", "breach-detection", "high",
    "Alerts reach the dataset's breach contacts",
    "The notification clock starts at awareness; the people who must assess and notify are the "
    "ones the alerts must reach.",
    "Subscribe each breach contact by e-mail to an SNS topic that an EventBridge rule or "
    "CloudWatch alarm targets.",
    ("GDPR Art. 33", "GDPR Art. 34", "NIST IR-6", "NIST IR-8(1)", "CKV_AWS_252"), _alert_route,
)

RULES: tuple[Rule, ...] = (BRE_001, BRE_002)
