"""The same tier admitting only the VPC; a role that reads nothing sensitive may face the
internet; a Lambda function accepts no inbound connection whatever its security group says."""

import sys
from pathlib import Path

import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

OBJECTS = "arn:aws:s3:::profiles-bucket/*"
bucket, table = kit.profile_stores()
newsletter = kit.bucket("newsletter-bucket", "newsletter")  # internal data
net = kit.network("net")
reader = kit.plain_role("profiles-reader", {"Effect": "Allow", "Action": "s3:GetObject",
                                            "Resource": OBJECTS})
kit.app_tier("app", net, reader, ["10.0.0.0/16"])
mailer = kit.plain_role("mailer", {"Effect": "Allow", "Action": "s3:GetObject",
                                   "Resource": "arn:aws:s3:::newsletter-bucket/*"})
kit.app_tier("mail", net, mailer, ["0.0.0.0/0"])
open_sg = aws.ec2.SecurityGroup("fn-sg", vpc_id=net["vpc"].id, ingress=[{
    "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}])
aws.lambda_.Function("reader-fn", role=reader.arn, runtime="python3.12", handler="app.main",
                     s3_bucket="artifacts-bucket", s3_key="reader-fn.zip",
                     vpc_config={"subnet_ids": [net["subnets"][0].id],
                                 "security_group_ids": [open_sg.id]})
