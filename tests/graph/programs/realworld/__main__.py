"""What published programs do: Lambda code from archives, files uploaded as assets, and data
sources called in plain Python (outside `apply`)."""

import json

import pulumi
import pulumi_aws as aws

identity = aws.get_caller_identity()
partition = aws.get_partition()
region = aws.get_region()
zones = aws.get_availability_zones(state="available")
ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                      filters=[{"name": "name", "values": ["al2023-ami-*-x86_64"]}])
token = aws.ecr.get_authorization_token()
existing = aws.dynamodb.get_table(name="legacy-orders")  # reads the account: unknown offline

role = aws.iam.Role("fn-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"Service": "lambda.amazonaws.com"}}]}))
aws.lambda_.Function("from-folder", role=role.arn, runtime="python3.12",
                     handler="index.handler", code=pulumi.FileArchive("./app"))
aws.lambda_.Function("from-assets", role=role.arn, runtime="python3.12",
                     handler="index.handler", code=pulumi.AssetArchive({
                         "index.py": pulumi.StringAsset("def handler(e, c):\n    return 1\n"),
                         "lib": pulumi.FileArchive("./app")}))
site = aws.s3.Bucket("site", bucket=f"site-{identity.account_id}-{region.name}")
aws.s3.BucketObject("index", bucket=site.id, source=pulumi.FileAsset("./app/index.py"))
aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro",
                 availability_zone=zones.names[0],
                 tags={"Registry": token.proxy_endpoint, "Arn": partition.partition})
aws.s3.Bucket("legacy-export", bucket=f"export-{existing.name}-{existing.arn}")
