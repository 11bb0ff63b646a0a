"""Evidence that cannot be forged quietly: bundles read safely (exit 2 for anything that is not
plainly files), the mandatory files required, and a signed manifest that a rehash cannot fake.
Bundles are written without following links and without leaving temporary files."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import warnings
import zipfile
from pathlib import Path

import pytest

from guardian.cli import main
from guardian.evidence import bundle, signing
from guardian.evidence.stable import zip_bytes
from tests.conftest import EXAMPLE_CATALOG
from tests.evidence.conftest import example_graph


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A signed bundle (directory and zip), its keys and another key pair."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    tmp = tmp_path_factory.mktemp("signed")
    keys = {}
    for name in ("signer", "other"):
        key = Ed25519PrivateKey.generate()
        (tmp / f"{name}.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        (tmp / f"{name}.pub").write_bytes(key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH))
        keys[name] = key
    graph = tmp / "graph.json"
    graph.write_text(example_graph().dumps())
    argv = ["export", "bundle", "--catalog", str(EXAMPLE_CATALOG), "--graph", str(graph),
            "--sign-key", str(tmp / "signer.pem")]
    # 1: the example deployment has blocking findings; the bundle is written all the same
    assert main([*argv, "-o", str(tmp / "b")]) in (0, 1)
    assert main([*argv, "-o", str(tmp / "b.zip")]) in (0, 1)
    return tmp


def verify(target: Path, *extra: str) -> int:
    return main(["evidence", "verify", str(target), *extra])


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rehashed(files: dict[str, bytes]) -> dict[str, bytes]:
    """What a forger does: edit a file, then write the manifest's digests anew."""
    files = dict(files)
    files["ropa.csv"] = files["ropa.csv"].replace(b"Acme", b"Acne", 1)
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = {p: hashlib.sha256(files[p]).hexdigest() for p in manifest["files"]}
    files["manifest.json"] = json.dumps(manifest).encode()
    return files


def test_a_signed_bundle_verifies_with_its_public_key(made, capsys):
    for target in ("b", "b.zip"):
        assert verify(made / target, "--public-key", str(made / "signer.pub")) == 0
        assert f"intact, signed by {signing.fingerprint(_public(made, 'signer'))}" in \
            capsys.readouterr().err
        assert verify(made / target) == 0
        assert "give --public-key to check the signature" in capsys.readouterr().err


def _public(made: Path, name: str):  # type: ignore[no-untyped-def]
    return signing.public_key((made / f"{name}.pub").read_bytes(), name)


def test_an_edited_and_rehashed_signed_bundle_fails(made, tmp_path, capsys):
    forged = tmp_path / "forged.zip"
    forged.write_bytes(zip_bytes(sorted(rehashed(entries(made / "b.zip")).items())))
    assert verify(forged) == 0  # what an unsigned check can and cannot tell (README)
    capsys.readouterr()
    assert verify(forged, "--public-key", str(made / "signer.pub")) == 1
    assert "manifest.sig does not match manifest.json" in capsys.readouterr().err


def test_a_signature_by_another_key_or_none_fails(made, tmp_path, capsys):
    assert verify(made / "b.zip", "--public-key", str(made / "other.pub")) == 1
    assert "signature: made with key" in capsys.readouterr().err
    files = entries(made / "b.zip")
    del files["manifest.sig"]
    unsigned = tmp_path / "unsigned.zip"
    unsigned.write_bytes(zip_bytes(sorted(files.items())))
    assert verify(unsigned, "--public-key", str(made / "signer.pub")) == 1
    assert "unsigned: no manifest.sig" in capsys.readouterr().err
    files["manifest.sig"] = b"{not json"
    garbled = tmp_path / "garbled.zip"
    garbled.write_bytes(zip_bytes(sorted(files.items())))
    assert verify(garbled, "--public-key", str(made / "signer.pub")) == 1
    assert "modified: manifest.sig (not a guardian.signature/v1" in capsys.readouterr().err


@pytest.mark.parametrize("key", ["not a key", "public", "rsa", "encrypted", "missing"])
def test_bad_keys_exit_2_before_any_work(made, tmp_path, capsys, key):
    path = tmp_path / "key"
    if key == "not a key":
        path.write_text("hello\n")
    elif key == "public":
        path.write_bytes((made / "signer.pub").read_bytes())
    elif key == "rsa":
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:1024", "-out", str(path)], check=True,
                       capture_output=True, timeout=60)
    elif key == "encrypted":
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret")))
    out = tmp_path / "out"
    code = main(["export", "bundle", "--catalog", str(EXAMPLE_CATALOG), "--graph",
                 str(made / "graph.json"), "--sign-key", str(path), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists() and "Traceback" not in err
    assert {"not a key": "not a private key", "public": "not a private key",
            "rsa": "bundles are signed with Ed25519", "encrypted": "the key is encrypted",
            "missing": "no such file"}[key] in err
    if key != "public":
        assert main(["evidence", "verify", str(made / "b"), "--public-key", str(path)]) == 2


def test_a_bundle_of_a_manifest_alone_fails(tmp_path, capsys):
    only = tmp_path / "only.zip"
    only.write_bytes(zip_bytes([("manifest.json", json.dumps(
        {"format": bundle.FORMAT, "files": {}}).encode())]))
    assert verify(only) == 1
    err = capsys.readouterr().err
    assert all(f"missing: {name} (every bundle holds it)" in err for name in bundle.MANDATORY)


def test_build_makes_exactly_the_mandatory_files(made):
    assert set(entries(made / "b.zip")) == {*bundle.MANDATORY, "manifest.json", "manifest.sig"}


def _zip(*members: tuple[zipfile.ZipInfo | str, bytes]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # duplicate names are the point of one test
        for info, data in members:
            zf.writestr(info, data)
    return buf.getvalue()


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _patch_central(data: bytes, offset: int, value: bytes) -> bytes:
    """Overwrite bytes of every central directory record (PK\\1\\2) at `offset` from its start."""
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) != -1:
        out[start + offset: start + offset + len(value)] = value
        start += 4
    return bytes(out)


def _patch_local(data: bytes, offset: int, value: bytes) -> bytes:
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x03\x04", start)) != -1:
        out[start + offset: start + offset + len(value)] = value
        start += 4
    return bytes(out)


MANIFEST = ("manifest.json", json.dumps({"format": bundle.FORMAT, "files": {}}).encode())
BOMB = b"\0" * (70 * 2**20)


@pytest.mark.parametrize(("name", "make", "message"), [
    ("duplicate", lambda: _zip(MANIFEST, ("ropa.csv", b"a"), ("ropa.csv", b"b")),
     "the name appears twice"),
    ("link", lambda: _zip(MANIFEST, (_link("ropa.csv"), b"/etc/passwd")), "a symbolic link"),
    ("absolute", lambda: _zip(MANIFEST, ("/etc/cron.d/x", b"a")), "an absolute, parent"),
    ("parent", lambda: _zip(MANIFEST, ("../x", b"a")), "an absolute, parent"),
    ("big", lambda: _zip(MANIFEST, ("report.html", BOMB)), "declares 73400320 bytes"),
    ("bomb", lambda: _zip(MANIFEST, ("report.html", b"\0" * (2 * 2**20))),
     "compressed more than 200 to 1"),
    ("lying size", lambda: _patch_local(_patch_central(
        _zip(MANIFEST, ("report.html", BOMB)), 24, (1000).to_bytes(4, "little")), 22,
        (1000).to_bytes(4, "little")), "report.html"),
    ("encrypted", lambda: _patch_central(_zip(MANIFEST), 8, b"\x01\x00"), "encrypted"),
    ("method 99", lambda: _patch_central(_zip(MANIFEST), 10, b"\x63\x00"),
     "compression method 99"),
    ("corrupt", lambda: _zip(MANIFEST)[:46] + b"\xff" * 8 + _zip(MANIFEST)[54:],
     "entry 'manifest.json'"),
    ("truncated", lambda: _zip(MANIFEST)[:-30], "not a readable zip"),
])
def test_hostile_zips_exit_2_naming_the_entry(tmp_path, capsys, name, make, message):
    path = tmp_path / f"{name.replace(' ', '-')}.zip"
    path.write_bytes(make())
    assert verify(path) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err


def test_a_link_inside_a_directory_bundle_exits_2(made, tmp_path, capsys):
    import shutil

    copy = tmp_path / "b"
    shutil.copytree(made / "b", copy)
    (copy / "ropa.csv").unlink()
    (copy / "ropa.csv").symlink_to(made / "b" / "ropa.csv")
    assert verify(copy) == 2
    assert "holds a symbolic link, ropa.csv" in capsys.readouterr().err
    (copy / "ropa.csv").unlink()
    os.mkfifo(copy / "ropa.csv")
    assert verify(copy) == 2
    assert "ropa.csv: is a FIFO" in capsys.readouterr().err


# --- writing ------------------------------------------------------------------------------


def _export(made: Path, out: Path) -> int:
    return main(["export", "bundle", "--catalog", str(EXAMPLE_CATALOG), "--graph",
                 str(made / "graph.json"), "-o", str(out)])


def test_a_symlinked_output_directory_is_refused(made, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").symlink_to(elsewhere)
    assert _export(made, tmp_path / "out") == 2
    assert "a bundle directory is never followed" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


def test_a_symlinked_subdirectory_of_an_earlier_bundle_is_not_followed(made, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(made / "b", out)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "component-definition.json").write_text("precious")
    shutil.rmtree(out / "oscal")
    (out / "oscal").symlink_to(outside)
    assert _export(made, out) in (0, 1)
    assert (outside / "component-definition.json").read_text() == "precious"
    assert not (out / "oscal").is_symlink() and verify(out) == 0
    assert sorted(os.listdir(tmp_path)) == ["out", "outside"]  # no temporary left


def test_an_existing_file_is_no_bundle_directory(made, tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert _export(made, tmp_path / "file") == 2
    assert "exists and is no directory" in capsys.readouterr().err


def test_a_failed_bundle_write_leaves_nothing_behind(made, tmp_path, monkeypatch, capsys):
    def broken(src, dst):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", broken)
    assert _export(made, tmp_path / "out") == 2
    assert "No space left on device" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []
