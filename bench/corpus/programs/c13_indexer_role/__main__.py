"""The document indexer's role: read-only on the customer documents, as the catalog declares."""

import json

import pulumi_aws as aws

role = aws.iam.Role("docs-indexer", name="docs-indexer", assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"Service": "lambda.amazonaws.com"}}]}))
aws.iam.RolePolicy("docs-indexer-read", role=role.id, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::corp-customer-docs", "arn:aws:s3:::corp-customer-docs/*"]}]}))
