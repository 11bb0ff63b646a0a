import json

import pulumi_aws as aws


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
# customer_profiles' access entry: notifications-service may read.
role = aws.iam.Role("notifications-service", name="notifications-service",
                    assume_role_policy=document({
                        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole"}))
aws.iam.RolePolicy("notifications-service-policy", role=role.id, policy=bucket.arn.apply(
    lambda arn: document({"Effect": "Allow", "Action": ["s3:GetObject"],
                          "Resource": f"{arn}/*"})))
