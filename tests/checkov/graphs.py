"""Small resource graphs built by hand, with Pulumi wire names as the readers produce them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardian.graph.model import Resource, ResourceGraph, Source

PREFIX = "urn:pulumi:dev::test::"


def urn(type_token: str, name: str) -> str:
    return f"{PREFIX}{type_token}::{name}"


def res(type_token: str, name: str, inputs: Mapping[str, Any], outputs: Mapping[str, Any] = {},
        deps: Mapping[str, tuple[str, ...]] = {}, parent: str | None = None) -> Resource:
    return Resource(urn=urn(type_token, name), type=type_token, name=name, inputs=dict(inputs),
                    outputs=dict(outputs), property_dependencies=dict(deps), parent=parent,
                    dependencies=tuple(u for us in deps.values() for u in us))


def graph(*resources: Resource) -> ResourceGraph:
    return ResourceGraph(resources, Source("graph", "test"))


BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SG = "aws:ec2/securityGroup:SecurityGroup"
TABLE = "aws:dynamodb/table:Table"


def bucket(name: str, tags: Mapping[str, str] = {}, parent: str | None = None) -> Resource:
    return res(BUCKET, name, {"bucket": name, "tags": dict(tags)},
               {"id": name, "arn": f"arn:aws:s3:::{name}"}, parent=parent)


def key(name: str) -> Resource:
    arn = f"arn:aws:kms:eu-west-1:123456789012:key/{name}"
    return res(KEY, name, {"enableKeyRotation": True}, {"id": name, "keyId": name, "arn": arn})


def sse(name: str, bucket_name: str, algorithm: str, key_name: str | None = None) -> Resource:
    default: dict[str, Any] = {"sseAlgorithm": algorithm}
    deps = {"bucket": (urn(BUCKET, bucket_name),)}
    if key_name:
        default["kmsMasterKeyId"] = f"arn:aws:kms:eu-west-1:123456789012:key/{key_name}"
        deps["rules"] = (urn(KEY, key_name),)
    return res(SSE, name, {"bucket": bucket_name, "rules": [
        {"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}]},
        {"id": bucket_name}, deps)


def pab(name: str, bucket_name: str) -> Resource:
    flags = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                           "restrictPublicBuckets"), True)
    return res(PAB, name, {"bucket": bucket_name, **flags}, {"id": bucket_name},
               {"bucket": (urn(BUCKET, bucket_name),)})


def security_group(name: str, port: int, cidr: str) -> Resource:
    return res(SG, name, {"description": name, "ingress": [
        {"protocol": "tcp", "fromPort": port, "toPort": port, "cidrBlocks": [cidr]}]},
        {"id": f"sg-{name}"})
