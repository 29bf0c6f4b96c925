"""What keeps the audit chain honest from outside the database: the keys and the anchor log.

* **Keys.** Every event carries an HMAC of its content and every seal is an HMAC over the
  previous seal and its events' digests, under a secret that is not in the database:
  `ENTEZAM_AUDIT_KEYS` (`id:hex,id:hex`), or the key file `ENTEZAM_AUDIT_KEY_FILE`
  (default `var/audit_keys`, one `id hex` per line, created on first use, mode 0600). The
  newest key signs; older ones still verify what they signed, so rotating
  (`entezam audit rotate-key`) covers a range of events and seals per key.
* **Anchor log.** Each seal's number, last event id and hash are also appended to a log
  outside the database (`ENTEZAM_AUDIT_ANCHOR_FILE`, default `var/audit-anchor.log`; any
  other sink implements `AnchorSink` and is named by `ENTEZAM_AUDIT_ANCHOR_SINK`).
  `audit verify` compares the database with it, so dropping or rewriting seals, even with
  the key, shows unless the log is rewritten too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]

    @property
    def current_id(self) -> str:
        return max(self.keys, key=lambda kid: (len(kid), kid))

    def sign(self, key_id: str, payload: bytes) -> str:
        return hmac.new(self.keys[key_id], payload, hashlib.sha256).hexdigest()

    def verify(self, key_id: str, payload: bytes, mac: str) -> bool:
        key = self.keys.get(key_id)
        if key is None:
            return False
        expected = hmac.new(key, payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, mac)


def _parse(text: str, source: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for number, line in enumerate(text.replace(",", "\n").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key_id, _, secret = line.replace(":", " ", 1).partition(" ")
        secret = secret.strip()
        if not key_id.isdigit() or len(secret) < 32:
            raise ImproperlyConfigured(f"{source}, entry {number}: expected 'id secret-hex'")
        try:
            keys[key_id] = bytes.fromhex(secret)
        except ValueError:
            raise ImproperlyConfigured(f"{source}, entry {number}: the secret is not hex") from None
    return keys


def key_file() -> Path:
    return Path(settings.AUDIT_KEY_FILE)


@lru_cache(maxsize=1)
def _cached_ring(env_keys: str, path: str, mtime: float) -> KeyRing:
    if env_keys:
        keys = _parse(env_keys, "ENTEZAM_AUDIT_KEYS")
    else:
        keys = _parse(Path(path).read_text(), path)
    if not keys:
        raise ImproperlyConfigured("no audit key configured")
    return KeyRing(keys)


def key_ring() -> KeyRing:
    env_keys = settings.AUDIT_KEYS
    path = key_file()
    if not env_keys and not path.exists():
        _write_keys(path, {"1": secrets.token_bytes(32)}, create=True)
    mtime = 0.0 if env_keys else path.stat().st_mtime
    return _cached_ring(env_keys, str(path), mtime)


def _write_keys(path: Path, keys: dict[str, bytes], *, create: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if create:
        # Two processes starting at once: the first one's key is the key.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
    else:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        stream.write("# Entezam audit keys: id secret (hex). Keep outside the database.\n")
        for key_id, secret in keys.items():
            stream.write(f"{key_id} {secret.hex()}\n")


def rotate_key() -> str:
    """Add a new key to the key file; it signs from now on. Returns its id."""
    if settings.AUDIT_KEYS:
        raise ImproperlyConfigured(
            "the audit keys come from ENTEZAM_AUDIT_KEYS: add the new key there"
        )
    ring = key_ring()
    new_id = str(int(ring.current_id) + 1)
    _write_keys(key_file(), {**ring.keys, new_id: secrets.token_bytes(32)})
    _cached_ring.cache_clear()
    return new_id


# --------------------------------------------------------------------------- anchor log


@dataclass(frozen=True)
class Anchor:
    number: int
    last_event_id: int
    hash: str


class AnchorSink:
    """Where seal hashes are written outside the database. `read` returns what was written."""

    def append(self, anchor: Anchor) -> None:
        raise NotImplementedError

    def read(self) -> Iterator[Anchor]:
        raise NotImplementedError


class FileAnchor(AnchorSink):
    """An append-only text file: `number last_event_id hash` per line, flushed to disk."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or settings.AUDIT_ANCHOR_FILE)

    def append(self, anchor: Anchor) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="ascii") as stream:
            stream.write(f"{anchor.number} {anchor.last_event_id} {anchor.hash}\n")
            stream.flush()
            os.fsync(stream.fileno())

    def read(self) -> Iterator[Anchor]:
        if not self.path.exists():
            return
        with open(self.path, encoding="ascii", errors="replace") as stream:
            for line in stream:
                parts = line.split()
                if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
                    yield Anchor(int(parts[0]), int(parts[1]), parts[2])


def anchor_sink() -> AnchorSink:
    dotted = settings.AUDIT_ANCHOR_SINK
    return import_string(dotted)() if dotted else FileAnchor()
