import json

import pulumi_aws as aws

# support-agent is a person's role (human: true in the catalog) on confidential data.
statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": "sts:AssumeRole"}
aws.iam.Role("support-agent", name="support-agent",
             assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
