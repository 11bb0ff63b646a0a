"""Reads a secure config value with `get` (in clear) and passes it on: the mistake Guardian's
graph must not repeat when the value is given with --config."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
password = config.get("dbPassword") or ""
aws.s3.Bucket("ledger", tags={"password": password,
                              "url": f"postgres://app:{password}@db.internal/ledger",
                              "user": "app"})
