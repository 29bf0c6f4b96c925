"""SMS backends: one interface, chosen by `ENTEZAM_SMS_BACKEND` (a dotted class path).

    class SmsBackend:
        def send(self, *, number: str, text: str, idempotency_key: str) -> str: ...

`send` returns the provider's message id, or raises `SmsError` with a reason code
(`errors.py`) and whether trying again may help. Every attempt of one delivery passes
the same `idempotency_key`; a backend that can, makes a second send of a key a no-op:

* `ConsoleSmsBackend` (default) writes the message to the log;
* `FileSpoolSmsBackend` writes one file per message into a spool directory, named by
  the key, so a second send of the key finds the file and writes nothing; an operator
  or a gateway script ships the files;
* `KavenegarSmsBackend` calls Kavenegar's REST API with the key as `localid`, which
  Kavenegar uses to refuse a duplicate.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from functools import lru_cache
from pathlib import Path

from django.utils import timezone
from django.utils.module_loading import import_string

from . import conf

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The message did not go out: `code` names why (errors.py), `detail` is the provider's
    own words; `retry` says whether a later attempt may succeed."""

    def __init__(self, code: str, detail: str = "", *, retry: bool = True):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.retry = retry


class SmsBackend:
    def send(self, *, number: str, text: str, idempotency_key: str) -> str:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Writes each message to the log (the `entezam.notifications.sms` logger)."""

    def send(self, *, number: str, text: str, idempotency_key: str) -> str:
        log.warning("SMS to %s [%s]:\n%s", number, idempotency_key, text)
        return f"console-{idempotency_key}"


class FileSpoolSmsBackend(SmsBackend):
    """One JSON file per message in the spool directory (`ENTEZAM_SMS_SPOOL_DIR`).

    The file is written under a temporary name and linked to `<key>.json` in one step:
    a file of that name is always complete, and a second send of the key (a retry after
    a worker died) finds it and writes nothing.
    """

    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(directory) if directory else conf.spool_dir()

    def path(self, idempotency_key: str) -> Path:
        if not idempotency_key or not idempotency_key.replace("-", "").isalnum():
            raise ValueError(f"unsafe idempotency key {idempotency_key!r}")
        return self.directory / f"{idempotency_key}.json"

    def send(self, *, number: str, text: str, idempotency_key: str) -> str:
        target = self.path(idempotency_key)
        provider_id = f"spool-{idempotency_key}"
        if target.exists():
            return provider_id
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            payload = {
                "key": idempotency_key,
                "number": number,
                "text": text,
                "queued_at": timezone.now().isoformat(),
            }
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.directory, prefix=".tmp-", delete=False
            ) as handle:
                json.dump(payload, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(handle.name, target)
            except FileExistsError:
                pass  # another attempt of the same delivery got there first
            finally:
                os.unlink(handle.name)
        except OSError as exc:
            raise SmsError("sms_unavailable", f"{type(exc).__name__}: {exc}") from exc
        return provider_id


# Kavenegar's `return.status` codes after which the same message will never go through.
KAVENEGAR_PERMANENT = frozenset({411, 412, 413, 414, 422})
KAVENEGAR_ACCOUNT = frozenset({401, 403, 407, 416, 418})


class KavenegarSmsBackend(SmsBackend):
    """Kavenegar's REST API: POST `sms/send.json` with `receptor`, `message`, `sender` and
    `localid` (the idempotency key), form-encoded in UTF-8.

    Kavenegar answers `{"return": {"status": 200, "message": …}, "entries": [{"messageid":
    …}]}`; another status is an error whose message is in Persian. Invalid numbers and
    messages are permanent failures; configuration, credit and network problems are
    retried (an operator may fix them meanwhile).
    """

    def __init__(self, *, api_key: str | None = None, sender: str | None = None, url=None):
        self.api_key = conf.setting("SMS_API_KEY") if api_key is None else api_key
        self.sender = conf.setting("SMS_SENDER") if sender is None else sender
        self.url = url or conf.setting("SMS_URL")
        self.timeout = float(conf.setting("SMS_TIMEOUT"))

    def send(self, *, number: str, text: str, idempotency_key: str) -> str:
        if not self.api_key:
            raise SmsError("sms_misconfigured", "ENTEZAM_SMS_API_KEY is empty")
        fields = {"receptor": number, "message": text, "localid": idempotency_key}
        if self.sender:
            fields["sender"] = self.sender
        request = urllib.request.Request(
            self.url.format(api_key=urllib.parse.quote(self.api_key, safe="")),
            data=urllib.parse.urlencode(fields, encoding="utf-8").encode("ascii"),
            headers={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            # Kavenegar answers errors with an HTTP status and the same JSON body.
            body = exc.read()
            if not body:
                raise SmsError("sms_unavailable", f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError("sms_unavailable", str(getattr(exc, "reason", exc))) from exc
        return self._message_id(body)

    def _message_id(self, body: bytes) -> str:
        try:
            answer = json.loads(body.decode("utf-8"))
            status = int(answer["return"]["status"])
            detail = str(answer["return"].get("message", ""))
        except (ValueError, KeyError, TypeError) as exc:
            raise SmsError("sms_unavailable", f"unreadable answer: {body[:200]!r}") from exc
        if status != 200:
            detail = f"{status} {detail}".strip()
            if status in KAVENEGAR_PERMANENT:
                raise SmsError("sms_rejected", detail, retry=False)
            if status in KAVENEGAR_ACCOUNT:
                raise SmsError("sms_misconfigured", detail)
            raise SmsError("sms_unavailable", detail)
        try:
            return str(answer["entries"][0]["messageid"])
        except (KeyError, IndexError, TypeError) as exc:
            raise SmsError("sms_unavailable", "answer without a message id") from exc


@lru_cache(maxsize=8)
def _backend_class(path: str) -> type[SmsBackend]:
    return import_string(path)


def sms_backend() -> SmsBackend:
    return _backend_class(conf.setting("SMS_BACKEND"))()
