"""Offline checks: a compact credential signed with Ed25519, carried in the card's QR code
(after `#c=` in the verification URL, so the server never receives it), and a signed list
of revoked and suspended card numbers with its issue time.

An officer without a connection verifies the credential against the published public key
and the newest list they downloaded. What that can know: the card's number, names,
institution and expiry as issued, that HQ signed them, and whether the number was revoked
or suspended when the list was made. What it cannot know: anything that changed after
the list's issue time (a suspension an hour ago), and whether the person holding the card
is the person on it (compare the photo)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from .choices import CardStatus
from .models import Card


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key_path() -> Path:
    return Path(settings.CREDENTIAL_SIGNING_KEY_FILE)


@lru_cache(maxsize=4)
def _load_key(path: str, mtime: float) -> Ed25519PrivateKey:
    return serialization.load_pem_private_key(Path(path).read_bytes(), password=None)


def signing_key() -> Ed25519PrivateKey:
    """The signing key, generated on first use. The file appears complete or not at all
    (written under a temporary name, then hard-linked): two processes starting at once
    both end up with the one key that won the link."""
    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return _load_key(str(path), path.stat().st_mtime)


def public_key_b64() -> str:
    raw = (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return _b64(raw)


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def compact_credential(card: Card) -> str:
    """`<payload>.<signature>`, both base64url: number, names, institution, expiry, issue time."""
    payload = {
        "n": card.number,
        "f": card.person.first_name,
        "l": card.person.last_name,
        "i": card.institution.name,
        "e": card.expires_on.isoformat(),
        "t": int(card.created_at.timestamp()),
    }
    body = _canonical(payload)
    return f"{_b64(body)}.{_b64(signing_key().sign(body))}"


def revocation_list() -> dict:
    """The signed list of card numbers that must not be trusted (revoked, suspended,
    expired or replaced), with the time it was made."""
    numbers = sorted(
        Card.objects.exclude(status=CardStatus.ACTIVE).values_list("number", flat=True)
    )
    payload = {"issued_at": timezone.now().isoformat(), "numbers": numbers}
    body = _canonical(payload)
    return {**payload, "signature": _b64(signing_key().sign(body))}


@dataclass
class OfflineAnswer:
    valid_signature: bool
    listed: bool = False
    expired: bool = False
    claims: dict | None = None
    list_issued_at: str | None = None

    @property
    def may_work(self) -> bool:
        return self.valid_signature and not self.listed and not self.expired


def verify_offline(
    compact: str, *, public_key: str, revocations: dict, today: str
) -> OfflineAnswer:
    """What an officer's device does with no server: check the credential's signature, the
    list's signature, the list and the expiry (`today` as ISO date)."""
    key = Ed25519PublicKey.from_public_bytes(_unb64(public_key))
    try:
        body_text, signature = compact.split(".", 1)
        body = _unb64(body_text)
        key.verify(_unb64(signature), body)
        claims = json.loads(body)
    except (ValueError, InvalidSignature, TypeError):
        return OfflineAnswer(valid_signature=False)
    listed_payload = {k: v for k, v in revocations.items() if k != "signature"}
    try:
        key.verify(_unb64(revocations.get("signature", "")), _canonical(listed_payload))
    except (ValueError, InvalidSignature, TypeError):
        return OfflineAnswer(valid_signature=False, claims=claims)
    return OfflineAnswer(
        valid_signature=True,
        listed=claims.get("n") in set(revocations.get("numbers", [])),
        expired=claims.get("e", "") < today,
        claims=claims,
        list_issued_at=revocations.get("issued_at"),
    )
