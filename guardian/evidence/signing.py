"""Ed25519 signatures over a bundle's manifest.json, so that editing a file and rehashing the
manifest is caught by whoever holds the public key.

The signature lives beside the manifest as `manifest.sig`, a small JSON document: the
algorithm, the SHA-256 fingerprint of the public key (to say which key signed) and the
signature of the manifest's exact bytes. Keys are read as PEM (PKCS#8 / SubjectPublicKeyInfo,
what `openssl genpkey -algorithm ed25519` writes) or OpenSSH (`ssh-keygen -t ed25519`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from guardian.errors import UserError

SIGNATURE = "manifest.sig"
FORMAT = "guardian.signature/v1"
ALGORITHM = "Ed25519"


def _raw(public: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Any) -> str:
    """`SHA256:<base64>` of the raw public key, as ssh-keygen prints one."""
    digest = hashlib.sha256(_raw(public)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def _key(data: bytes, name: str, part: str, loaders: Any, cls: type) -> Any:
    """The Ed25519 `part` ("private" or "public") key the first of `loaders` reads from `data`."""
    key = None
    for load in loaders:
        try:
            key = load(data)
            break
        except TypeError:  # a passphrase is needed
            raise UserError(f"{name}: the key is encrypted; give an unencrypted Ed25519 "
                            "private key (keep it where only the signer can read it)") from None
        except (ValueError, UnicodeError):
            continue
        except Exception as exc:  # noqa: BLE001 - cryptography raises its own unsupported-key errors
            raise UserError(f"{name}: not a usable {part} key ({exc})") from None
    if key is None:
        raise UserError(f"{name}: not a {part} key (expected an Ed25519 key, PEM or OpenSSH)")
    if not isinstance(key, cls):
        suffix = f"{part.capitalize()}Key"
        raise UserError(f"{name}: a {type(key).__name__.removesuffix(suffix) or 'other'} "
                        "key; bundles are signed with Ed25519")
    return key


def private_key(data: bytes, name: str) -> Any:
    """An Ed25519 private key from PEM or OpenSSH bytes; UserError naming `name` otherwise."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    loaders = (lambda d: serialization.load_pem_private_key(d, password=None),
               lambda d: serialization.load_ssh_private_key(d, password=None))
    return _key(data, name, "private", loaders, Ed25519PrivateKey)


def public_key(data: bytes, name: str) -> Any:
    """An Ed25519 public key from PEM or OpenSSH (`ssh-ed25519 AAAA...`) bytes."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    loaders = (serialization.load_pem_public_key, serialization.load_ssh_public_key)
    return _key(data, name, "public", loaders, Ed25519PublicKey)


def sign(manifest: bytes, key_data: bytes, key_name: str) -> bytes:
    """The `manifest.sig` document for these manifest bytes."""
    key = private_key(key_data, key_name)
    doc = {"format": FORMAT, "algorithm": ALGORITHM, "key": fingerprint(key.public_key()),
           "signature": base64.b64encode(key.sign(manifest)).decode()}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()


def signer(signature: bytes | None) -> str | None:
    """The fingerprint a signature document names (unchecked), or None."""
    try:
        doc = json.loads(signature or b"")
        return str(doc["key"]) if isinstance(doc, dict) and doc.get("format") == FORMAT else None
    except (ValueError, KeyError, RecursionError):
        return None


def check(manifest: bytes, signature: bytes | None, key_data: bytes, key_name: str) -> list[str]:
    """What is wrong with the signature of `manifest` under the public key; empty if valid."""
    from cryptography.exceptions import InvalidSignature

    key = public_key(key_data, key_name)
    if signature is None:
        return [f"unsigned: no {SIGNATURE} (the bundle must be signed by {fingerprint(key)})"]
    try:
        doc = json.loads(signature)
        sig = base64.b64decode(doc["signature"], validate=True)
        if doc.get("format") != FORMAT or doc.get("algorithm") != ALGORITHM:
            raise ValueError
    except (ValueError, KeyError, TypeError, RecursionError):
        return [f"modified: {SIGNATURE} (not a {FORMAT} {ALGORITHM} signature)"]
    if doc.get("key") != fingerprint(key):
        return [f"signature: made with key {doc.get('key')}, not {fingerprint(key)}"]
    try:
        key.verify(sig, manifest)
    except InvalidSignature:
        return [f"signature: {SIGNATURE} does not match manifest.json (the manifest was "
                "changed after signing)"]
    return []
