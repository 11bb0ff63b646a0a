import pulumi_aws as aws

vpc = aws.ec2.Vpc("data", cidr_block="10.0.0.0/16")
private = aws.ec2.RouteTable("data-private", vpc_id=vpc.id, routes=[])  # no internet route
subnets = []
for i, zone in enumerate(["eu-west-1a", "eu-west-1b"]):
    subnet = aws.ec2.Subnet(f"data-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24",
                            availability_zone=zone)
    aws.ec2.RouteTableAssociation(f"data-{i}", subnet_id=subnet.id, route_table_id=private.id)
    subnets.append(subnet)
group = aws.rds.SubnetGroup("support-db-subnets", subnet_ids=[s.id for s in subnets])
sg = aws.ec2.SecurityGroup("support-db-sg", vpc_id=vpc.id, ingress=[{
    "protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["10.0.0.0/16"]}])
aws.rds.Instance("support-db", identifier="acme-support-db", engine="postgres",
                 engine_version="16.3", instance_class="db.t4g.micro", allocated_storage=20,
                 storage_encrypted=True, db_subnet_group_name=group.name,
                 vpc_security_group_ids=[sg.id],
                 username="app", manage_master_user_password=True, skip_final_snapshot=True,
                 tags={"privacy:dataset": "support_tickets"})
