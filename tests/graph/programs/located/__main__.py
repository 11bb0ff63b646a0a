"""Where findings point: a store declared on line 37 of this file breaks the encryption rule,
and one is declared inside a component written in this program (kit.py).

The line numbers are part of the test (tests/graph/test_locations.py): keep them when
editing.
"""

import json

import kit
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
team = config.get("team") or "located"


def tags(dataset: str) -> dict[str, str]:
    return {"privacy:dataset": dataset, "team": team}


def deny_plain_http(bucket: aws.s3.Bucket) -> pulumi.Output[str]:
    return bucket.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    }))


# Profiles for the storefront: confidential data, so the catalog wants a customer-managed
# key. This bucket has none (S3 encrypts with AES256 by default): GRD-ENC-001 must point at
# the next line.

plain = aws.s3.Bucket(
    "located-plain", bucket="located-plain", tags=tags("profiles"))
aws.s3.BucketPolicy("located-plain-tls", bucket=plain.id, policy=deny_plain_http(plain))

kit.PlainBucket("located-kit", "profiles")  # line 41: the component's declaration
