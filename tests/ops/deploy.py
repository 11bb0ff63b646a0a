"""Deploy a ResourceGraph into the moto server with boto3: a tiny stand-in for `pulumi up`.

Only the types tests/ops/deployed uses. Ids the cloud makes up (KMS key ids and ARNs) are
mapped from the offline graph's to the server's, so policies and references stay consistent.
"""

from __future__ import annotations

import json
from typing import Any

from guardian.graph.model import Resource, ResourceGraph


def _props(r: Resource, ids: dict[str, str]) -> dict[str, Any]:
    text = json.dumps({**r.inputs, **{k: v for k, v in r.outputs.items() if v is not None}})
    for old, new in ids.items():
        text = text.replace(old, new)
    return json.loads(text)


def _tags(tags: dict[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict]:
    return [{key: k, value: v} for k, v in (tags or {}).items()]


def deploy(graph: ResourceGraph, clients: Any, region: str) -> dict[str, str]:
    """Create every resource of the graph; the id map (offline -> server)."""
    kms, s3, ddb, iam = (clients(s, region) for s in ("kms", "s3", "dynamodb", "iam"))
    ids: dict[str, str] = {}
    for r in graph.of_type("aws:kms/key:Key"):
        p = _props(r, ids)
        meta = kms.create_key(Description=p.get("description", ""),
                              Tags=_tags(p.get("tags"), "TagKey", "TagValue"))["KeyMetadata"]
        if p.get("enableKeyRotation"):
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        ids[r.outputs["arn"]], ids[r.outputs["keyId"]] = meta["Arn"], meta["KeyId"]
    for r in graph.of_type("aws:kms/alias:Alias"):
        p = _props(r, ids)
        kms.create_alias(AliasName=p["name"], TargetKeyId=p["targetKeyId"])
    for r in graph.of_type("aws:iam/policy:Policy"):
        p = _props(r, ids)
        iam.create_policy(PolicyName=p["name"], PolicyDocument=p["policy"])
    for r in graph.of_type("aws:iam/role:Role"):
        p = _props(r, ids)
        iam.create_role(RoleName=p["name"], AssumeRolePolicyDocument=p["assumeRolePolicy"],
                        Tags=_tags(p.get("tags")))
    for r in graph.of_type("aws:iam/rolePolicy:RolePolicy"):
        p = _props(r, ids)
        iam.put_role_policy(RoleName=p["role"], PolicyName=p["name"], PolicyDocument=p["policy"])
    for r in graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        p = _props(r, ids)
        iam.attach_role_policy(RoleName=p["role"], PolicyArn=p["policyArn"])
    for r in graph.of_type("aws:s3/bucket:Bucket"):
        p = _props(r, ids)
        s3.create_bucket(Bucket=p["bucket"],
                         CreateBucketConfiguration={"LocationConstraint": region})
        if p.get("tags"):
            s3.put_bucket_tagging(Bucket=p["bucket"], Tagging={"TagSet": _tags(p["tags"])})
    for r in graph.resources:
        p = _props(r, ids)
        if r.type.endswith(":BucketServerSideEncryptionConfiguration"):
            s3.put_bucket_encryption(Bucket=p["bucket"], ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"],
                    **({"KMSMasterKeyID": rule["applyServerSideEncryptionByDefault"]
                        ["kmsMasterKeyId"]} if rule["applyServerSideEncryptionByDefault"].get(
                            "kmsMasterKeyId") else {})},
                    "BucketKeyEnabled": bool(rule.get("bucketKeyEnabled"))}
                    for rule in p["rules"]]})
        elif r.type.endswith(":BucketVersioning"):
            s3.put_bucket_versioning(Bucket=p["bucket"], VersioningConfiguration={
                "Status": p["versioningConfiguration"]["status"]})
        elif r.type.endswith(":BucketPublicAccessBlock"):
            s3.put_public_access_block(Bucket=p["bucket"], PublicAccessBlockConfiguration={
                k[0].upper() + k[1:]: bool(p.get(k)) for k in (
                    "blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy",
                    "restrictPublicBuckets")})
        elif r.type.endswith(":BucketLifecycleConfiguration"):
            s3.put_bucket_lifecycle_configuration(Bucket=p["bucket"], LifecycleConfiguration={
                "Rules": [{
                    "ID": rule["id"], "Status": rule["status"],
                    "Filter": {"Prefix": rule.get("filter", {}).get("prefix", "")},
                    "Expiration": {"Days": int(rule["expiration"]["days"])},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": int(
                        rule["noncurrentVersionExpiration"]["noncurrentDays"])},
                } for rule in p["rules"]]})
        elif r.type.endswith(":BucketPolicy"):
            s3.put_bucket_policy(Bucket=p["bucket"], Policy=p["policy"])
    for r in graph.of_type("aws:dynamodb/table:Table"):
        p = _props(r, ids)
        spec: dict[str, Any] = {
            "TableName": p["name"], "BillingMode": p["billingMode"],
            "KeySchema": [{"AttributeName": p["hashKey"], "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": a["name"], "AttributeType": a["type"]}
                                     for a in p["attributes"]],
            "Tags": _tags(p.get("tags")),
        }
        if p.get("globalSecondaryIndexes"):
            spec["GlobalSecondaryIndexes"] = [{
                "IndexName": i["name"],
                "KeySchema": [{"AttributeName": i["hashKey"], "KeyType": "HASH"}],
                "Projection": {"ProjectionType": i["projectionType"]}}
                for i in p["globalSecondaryIndexes"]]
        sse = p.get("serverSideEncryption") or {}
        if sse.get("enabled"):
            spec["SSESpecification"] = {"Enabled": True, "SSEType": "KMS",
                                        **({"KMSMasterKeyId": sse["kmsKeyArn"]}
                                           if sse.get("kmsKeyArn") else {})}
        ddb.create_table(**spec)
        if (p.get("pointInTimeRecovery") or {}).get("enabled"):
            ddb.update_continuous_backups(TableName=p["name"], PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True})
        ttl = p.get("ttl") or {}
        if ttl.get("enabled"):
            ddb.update_time_to_live(TableName=p["name"], TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl["attributeName"]})
    return ids
