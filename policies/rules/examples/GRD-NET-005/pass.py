import json

import pulumi_aws as aws

bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
role = aws.iam.Role("notifications-service", name="notifications-service",
                    assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("notifications-read", role=role.id, policy=bucket.arn.apply(
    lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn}/*"}]})))
profile = aws.iam.InstanceProfile("notifications", role=role.name)
vpc = aws.ec2.Vpc("app", cidr_block="10.0.0.0/16")
# Only the VPC reaches it (behind a load balancer, say).
web = aws.ec2.SecurityGroup("notifications-sg", vpc_id=vpc.id, ingress=[{
    "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"]}])
aws.ec2.Instance("notifications", ami="ami-0123456789abcdef0", instance_type="t4g.small",
                 iam_instance_profile=profile.name, vpc_security_group_ids=[web.id])
