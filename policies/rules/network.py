"""Network segmentation: restricted data only through VPC endpoints, data tiers and the compute
that reads sensitive data closed to the internet, flow logs on every VPC."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from guardian.policies.rules._index import Index, PolicyVerdict, Store
from guardian.policies.rules._policy import Statement, glob_match, has_unknown

from guardian.findings import Context, Finding, Rule, Scope
from guardian.graph.model import Resource

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
IGW = "aws:ec2/internetGateway:InternetGateway"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"
SUBNET_GROUPS = {"rds": "aws:rds/subnetGroup:SubnetGroup",
                 "rds-cluster": "aws:rds/subnetGroup:SubnetGroup",
                 "redshift": "aws:redshift/subnetGroup:SubnetGroup"}
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ROLE = "aws:iam/role:Role"
OPEN = ("0.0.0.0/0", "::/0")
_DATA_TIER = ("rds", "rds-cluster", "redshift", "opensearch", "efs")  # stores behind a subnet
_PROBE = {"s3": "s3:GetObject", "dynamodb": "dynamodb:GetItem"}


def _vpce_deny(st: Statement, service: str) -> bool:
    """A Deny, to anyone, of reading the store, on requests not through a given VPC endpoint
    (or VPC)."""
    if st.effect != "Deny" or not st.wildcard_principal:
        return False
    if not any(glob_match(a, _PROBE[service]) for a in st.actions):
        return False
    return bool(st.condition("StringNotEquals", "aws:SourceVpce")
                or st.condition("StringNotEquals", "aws:SourceVpc"))


def endpoint_only(ix: Index, s: Store) -> PolicyVerdict:
    """Whether each resource policy of the store denies reads outside a VPC endpoint."""
    return ix.every_policy(s, lambda statements: s.kind in _PROBE and any(
        _vpce_deny(st, s.kind) for st in statements))


def _endpoint_only(ctx: Context) -> Iterator[Finding]:
    for s in NET_001.stores(ctx):
        assert s.dataset is not None
        if s.dataset.classification != "restricted":
            continue
        v = endpoint_only(ctx.index, s)
        if v.holds:
            continue
        if v.holds is None:
            yield NET_001.at(s, "the resource policy is unknown; cannot tell "
                             "whether it confines access to a VPC endpoint",
                             related=v.unknown, unknown=True)
        elif v.lacking and len(v.lacking) < len(v.sources):
            yield NET_001.at(s, "restricted data is reachable from anywhere: a resource "
                             "policy does not deny access outside a VPC endpoint "
                             "(aws:SourceVpce)", related=v.lacking)
        else:
            yield NET_001.at(s, "restricted data is reachable from anywhere: no "
                             "resource policy denies access outside a VPC endpoint "
                             "(aws:SourceVpce)", related=v.sources)


class _Net:
    """Security-group ingress and subnet routes, gathered once."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix

    @cached_property
    def open_ingress(self) -> dict[str, list[Resource]]:
        """Security group URN -> resources opening it to 0.0.0.0/0 or ::/0."""
        out: dict[str, list[Resource]] = {}
        g = self.ix.graph
        for sg in g.of_type(SG):
            for rule in _items(sg.get("ingress")):
                cidrs = [*_items(rule.get("cidrBlocks"), str),
                         *_items(rule.get("ipv6CidrBlocks"), str)]
                if any(c in OPEN for c in cidrs):
                    out.setdefault(sg.urn, []).append(sg)
        for r in g.of_type(SG_RULE, SG_INGRESS):
            if r.type == SG_RULE and r.get("type") != "ingress":
                continue
            cidrs = [*_items(r.get("cidrBlocks"), str), *_items(r.get("ipv6CidrBlocks"), str),
                     r.get("cidrIpv4"), r.get("cidrIpv6")]
            if any(c in OPEN for c in cidrs):
                for sg in self.ix.refs(r, "securityGroupId", (SG,)):
                    out.setdefault(sg.urn, []).append(r)
        return out

    @cached_property
    def unknown_ingress(self) -> dict[str, list[Resource]]:
        """Security group URN -> resources whose ingress cannot be read offline."""
        out: dict[str, list[Resource]] = {}
        for sg in self.ix.graph.of_type(SG):
            if has_unknown(sg.get("ingress")):
                out.setdefault(sg.urn, []).append(sg)
        for r in self.ix.graph.of_type(SG_RULE, SG_INGRESS):
            values = [r.get(k) for k in ("type", "cidrBlocks", "ipv6CidrBlocks", "cidrIpv4",
                                         "cidrIpv6")]
            if any(has_unknown(v) for v in values):
                for sg in self.ix.refs(r, "securityGroupId", (SG,)):
                    out.setdefault(sg.urn, []).append(r)
        return out

    @cached_property
    def internet_routes(self) -> dict[str, list[Resource]]:
        """Route table URN -> routes through an internet gateway."""
        out: dict[str, list[Resource]] = {}
        for rt in self.ix.graph.of_type(ROUTE_TABLE):
            for route in _items(rt.get("routes")):
                if self._to_igw(rt, "routes", route.get("gatewayId")):
                    out.setdefault(rt.urn, []).append(rt)
        for route in self.ix.graph.of_type(ROUTE):
            if self._to_igw(route, "gatewayId", route.get("gatewayId")):
                for rt in self.ix.refs(route, "routeTableId", (ROUTE_TABLE,)):
                    out.setdefault(rt.urn, []).append(route)
        return out

    def _to_igw(self, holder: Resource, prop: str, gateway: object) -> bool:
        if isinstance(gateway, str) and gateway.startswith("igw-"):
            return True
        return bool(gateway) and any(
            r.type == IGW for r in self.ix.refs(holder, prop, (IGW,)))

    @cached_property
    def subnet_tables(self) -> dict[str, list[Resource]]:
        out: dict[str, list[Resource]] = {}
        for a in self.ix.graph.of_type(ASSOCIATION):
            for subnet in self.ix.refs(a, "subnetId", (SUBNET,)):
                out.setdefault(subnet.urn, []).extend(self.ix.refs(a, "routeTableId",
                                                                   (ROUTE_TABLE,)))
        return out

    @cached_property
    def mount_targets(self) -> dict[str, list[Resource]]:
        out: dict[str, list[Resource]] = {}
        for mt in self.ix.graph.of_type(MOUNT_TARGET):
            for fs in self.ix.refs(mt, "fileSystemId", ("aws:efs/fileSystem:FileSystem",)):
                out.setdefault(fs.urn, []).append(mt)
        return out

    def outside_groups(self, s: Store) -> list[str]:
        """The store's security group ids that name no group of this deployment (or are
        unknown): what they admit cannot be told."""
        if s.kind not in ("rds", "rds-cluster", "redshift"):
            return []
        value = s.get("vpcSecurityGroupIds")
        if not isinstance(value, list):
            return [str(value)] if has_unknown(value) else []
        found = self.ix.refs(s.resource, "vpcSecurityGroupIds", (SG,))
        named = {v for r in found for v in (r.get("id"), r.get("name"), r.get("arn"))}
        unnamed = [str(v) for v in value if v not in named]
        return unnamed[: max(0, len(value) - len(found))]

    def security_groups(self, s: Store) -> list[Resource]:
        r = s.resource
        if s.kind in ("rds", "rds-cluster", "redshift"):
            return self.ix.refs(r, "vpcSecurityGroupIds", (SG,))
        if s.kind == "opensearch":
            return self.ix.refs(r, "vpcOptions", (SG,))
        if s.kind == "efs":
            return [sg for mt in self.mount_targets.get(r.urn, [])
                    for sg in self.ix.refs(mt, "securityGroups", (SG,))]
        return []

    def subnets(self, s: Store) -> tuple[list[Resource], Resource | None, bool]:
        """(subnets, the subnet group, whether it has none: the default VPC). A subnet group
        that is not in this deployment (or unknown) raises _Outside."""
        r = s.resource
        if s.kind in SUBNET_GROUPS:
            prop = "clusterSubnetGroupName" if s.kind == "redshift" else "dbSubnetGroupName"
            group = self.ix.ref(r, prop, (SUBNET_GROUPS[s.kind],))
            if group is None and r.get(prop):
                raise _Outside(str(r.get(prop)))
            if group is None:
                return [], None, True
            if has_unknown(group.get("subnetIds")) and not self.ix.refs(
                    group, "subnetIds", (SUBNET,)):
                raise _Outside(group.name)
            return self.ix.refs(group, "subnetIds", (SUBNET,)), group, False
        if s.kind == "opensearch":
            return self.ix.refs(r, "vpcOptions", (SUBNET,)), None, False
        if s.kind == "efs":
            return [sn for mt in self.mount_targets.get(r.urn, [])
                    for sn in self.ix.refs(mt, "subnetId", (SUBNET,))], None, False
        return [], None, False


class _Outside(Exception):  # noqa: N818 - a verdict, not a failure
    """A subnet group outside the deployment, or unknown."""


def _items(value: object, kind: type = dict) -> list:  # type: ignore[type-arg]
    """The list's items of one kind; nothing for anything else: an unknown list is reported
    by whoever needs it (unknown_ingress), never iterated character by character."""
    return [v for v in value if isinstance(v, kind)] if isinstance(value, list) else []


def _net(ix: Index) -> _Net:
    return ix.memo("network", _Net)


def _open_ingress(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    net = _net(ix)
    attached: set[str] = set()
    for s in NET_002.stores(ctx):
        groups = net.security_groups(s)
        opened = [sg for sg in groups if sg.urn in net.open_ingress]
        for sg in groups:
            attached.add(sg.urn)
        for sg in opened:
            yield NET_002.at(s, f"security group {sg.name!r} admits traffic from "
                             "the whole internet (0.0.0.0/0 or ::/0)",
                             related=[sg, *net.open_ingress[sg.urn]])
        unread = [sg for sg in groups if sg.urn in net.unknown_ingress]
        outside = net.outside_groups(s)
        if not opened and (unread or outside):
            what = (f"security group(s) {', '.join(map(repr, outside))} not in this "
                    "deployment" if outside else "the ingress rules of "
                    f"{', '.join(repr(sg.name) for sg in unread)}")
            yield NET_002.at(s, f"cannot tell what reaches the store: {what} (unknown)",
                             related=[*unread, *(x for sg in unread
                                                 for x in net.unknown_ingress[sg.urn])],
                             unknown=True)
    for sg in ctx.graph.of_type(SG):
        if sg.urn in attached or sg.urn not in net.open_ingress:
            continue
        tags = sg.get("tags")
        if isinstance(tags, dict) and tags.get("guardian:tier") == "data":
            yield NET_002.finding(f"data-tier security group {sg.name!r} admits traffic "
                                  "from the whole internet", resource=sg,
                                  related=net.open_ingress[sg.urn])


def _internet_route(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    net = _net(ix)
    for s in NET_003.stores(ctx):
        try:
            subnets, group, default_vpc = net.subnets(s)
        except _Outside as outside:
            yield NET_003.at(s, f"subnet group {outside} is not in this deployment (or "
                             "unknown); cannot tell whether its subnets route to the internet",
                             unknown=True)
            continue
        if default_vpc:
            yield NET_003.at(s, "no subnet group: the database goes into the default "
                             "VPC, whose subnets route to an internet gateway")
            continue
        for sn in subnets:
            routes = [x for rt in net.subnet_tables.get(sn.urn, [])
                      for x in net.internet_routes.get(rt.urn, [])]
            if routes:
                yield NET_003.at(s, f"subnet {sn.name!r} routes to an internet "
                                 "gateway", related=[sn, *routes, *([group] if group else [])])


def _flow_logs(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    logged = {v.urn for fl in ctx.graph.of_type(FLOW_LOG) for v in ix.refs(fl, "vpcId", (VPC,))}
    unknown = [fl for fl in ctx.graph.of_type(FLOW_LOG)
               if not ix.refs(fl, "vpcId", (VPC,)) and has_unknown(fl.get("vpcId"))]
    for vpc in ctx.graph.of_type(VPC):
        if vpc.urn in logged:
            continue
        yield NET_004.finding("a flow log exists whose VPC is unknown" if unknown
                              else "VPC has no flow log", resource=vpc, related=unknown,
                              unknown=bool(unknown))


_REFS = ("GDPR Art. 32(1)(b)", "GDPR Art. 25", "NIST SC-7", "NIST SC-7(5)", "NIST AC-4")
def _compute(ix: Index) -> Iterator[tuple[Resource, str, list[Resource], list[Resource]]]:
    """(compute resource, what it is, the roles it runs as, its security groups) for EC2
    instances, launch templates and ECS services. Lambda functions are left out: they accept
    no inbound connection, whatever their security groups admit."""
    for inst in ix.graph.of_type(INSTANCE, LAUNCH_TEMPLATE):
        profiles = ix.refs(inst, "iamInstanceProfile", (INSTANCE_PROFILE,))
        roles = [r for p in profiles for r in ix.refs(p, "role", (ROLE,))]
        groups = [*ix.refs(inst, "vpcSecurityGroupIds", (SG,)),
                  *ix.refs(inst, "securityGroups", (SG,)),
                  *ix.refs(inst, "networkInterfaces", (SG,))]
        what = "EC2 instance" if inst.type == INSTANCE else "launch template"
        yield inst, what, roles, groups
    for svc in ix.graph.of_type(ECS_SERVICE):
        roles = [r for td in ix.refs(svc, "taskDefinition", (TASK_DEFINITION,))
                 for r in ix.refs(td, "taskRoleArn", (ROLE,))]
        yield svc, "ECS service", roles, ix.refs(svc, "networkConfiguration", (SG,))


def _exposed_compute(ctx: Context) -> Iterator[Finding]:
    ix = ctx.index
    net = _net(ix)
    # role URN -> store URN -> (a sensitive store it may read, whether surely)
    reads: dict[str, dict[str, tuple[Store, bool]]] = {}
    for s in NET_005.stores(ctx):
        if s.dataset is None or not s.dataset.sensitive:
            continue
        for g in ix.grants.of(s):
            if g.role is not None and "read" in g.kinds | g.maybe:
                mine = reads.setdefault(g.role.resource.urn, {})
                surely = "read" in g.kinds or mine.get(s.resource.urn, (s, False))[1]
                mine[s.resource.urn] = (s, surely)
    for compute, what, roles, groups in _compute(ix):
        open_ = [sg for sg in groups if sg.urn in net.open_ingress]
        if not open_:
            continue
        seen: set[str] = set()
        for role in roles:
            for s, certain in reads.get(role.urn, {}).values():
                if s.resource.urn in seen:
                    continue
                seen.add(s.resource.urn)
                sg = open_[0]
                yield NET_005.at(
                    s, f"{what} {compute.name!r} runs as role {role.name!r}, which "
                    f"{'reads' if certain else 'may read'} this data, behind security group "
                    f"{sg.name!r} open to the internet (0.0.0.0/0 or ::/0)",
                    related=[compute, role, *open_, *net.open_ingress[sg.urn]],
                    unknown=not certain)


NET_001 = Rule(
    "GRD-NET-001", "network-segmentation", "high",
    "Restricted data is reachable only through a VPC endpoint",
    "Credentials leak; a resource policy that refuses data calls not arriving through the VPC "
    "endpoint makes a leaked key useless outside the network.",
    "Add a resource policy statement: Deny, Principal *, the data actions, Condition "
    "StringNotEquals aws:SourceVpce <endpoint id>.",
    _REFS, _endpoint_only,
    scope=Scope(stores=("s3", "dynamodb")),
)
NET_002 = Rule(
    "GRD-NET-002", "network-segmentation", "critical",
    "Data tiers admit no traffic from the internet",
    "A database security group open to 0.0.0.0/0 or ::/0 exposes the service to every scanner.",
    "Admit only the application tier's security group (referenced_security_group_id).",
    (*_REFS, "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"), _open_ingress,
    scope=Scope(stores=_DATA_TIER),
)
NET_003 = Rule(
    "GRD-NET-003", "network-segmentation", "high",
    "Databases sit in subnets without an internet route",
    "A data subnet routing to an internet gateway is one misconfiguration away from public.",
    "Place the database in private subnets whose route tables have no internet gateway route.",
    _REFS, _internet_route,
    scope=Scope(stores=_DATA_TIER),
)
NET_004 = Rule(
    "GRD-NET-004", "network-segmentation", "medium",
    "VPCs have flow logs",
    "Without flow logs a breach investigation cannot tell what talked to the data tier.",
    "Add aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type='ALL', ...).",
    ("GDPR Art. 33(3)", "NIST AU-12", "NIST SI-4", "CKV2_AWS_11"), _flow_logs,
    scope=Scope(resources=(VPC,)),
)

NET_005 = Rule(
    "GRD-NET-005", "network-segmentation", "high",
    "Compute that reads sensitive data admits no traffic from the internet",
    "An instance or task reachable from the whole internet that can read confidential or "
    "restricted data turns any flaw in what it runs into a breach of that data.",
    "Admit only the load balancer's or the application tier's security group, or take the "
    "read grant away from the role the compute runs as.",
    (*_REFS, "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260"), _exposed_compute,
    scope=Scope(stores=("s3", "dynamodb")),
)

RULES: tuple[Rule, ...] = (NET_001, NET_002, NET_003, NET_004, NET_005)
