"""The app's settings: a Django setting of the same name wins, then the environment.

Every name is `ENTEZAM_<NAME>`, as in `config/settings.py`; the app reads its own so that
adding it touches nothing outside its folder but `INSTALLED_APPS`. Tests override them
with the `settings` fixture; a worker process gets them from its environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

DEFAULTS: dict[str, str] = {
    # Dotted path of the SMS backend class (`sms.py`): console, file spool or Kavenegar.
    "SMS_BACKEND": "entezam.notifications.sms.ConsoleSmsBackend",
    # The file spool backend's directory (default: var/sms-spool).
    "SMS_SPOOL_DIR": "",
    # Kavenegar: API key, sender line, endpoint (with `{api_key}`), request timeout.
    "SMS_API_KEY": "",
    "SMS_SENDER": "",
    "SMS_URL": "https://api.kavenegar.com/v1/{api_key}/sms/send.json",
    "SMS_TIMEOUT": "10",
    # Sender address of notification e-mails (default: Django's DEFAULT_FROM_EMAIL).
    "NOTIFY_EMAIL_FROM": "",
    # Where links in e-mails and SMS point to.
    "SITE_URL": "http://127.0.0.1:8000",
    # Delivery: attempts before giving up, first retry delay (doubling), how long a claim
    # by a worker holds before another may take the delivery over.
    "NOTIFY_MAX_ATTEMPTS": "5",
    "NOTIFY_RETRY_SECONDS": "60",
    "NOTIFY_CLAIM_SECONDS": "120",
}


def setting(name: str) -> str:
    value = getattr(settings, f"ENTEZAM_{name}", None)
    if value is None:
        value = os.environ.get(f"ENTEZAM_{name}")
    if value is None:
        value = DEFAULTS[name]
    return str(value)


def int_setting(name: str) -> int:
    return int(setting(name))


def spool_dir() -> Path:
    return Path(setting("SMS_SPOOL_DIR") or Path(settings.VAR_DIR) / "sms-spool")


def site_url() -> str:
    return setting("SITE_URL").rstrip("/")


def email_from() -> str:
    return setting("NOTIFY_EMAIL_FROM") or settings.DEFAULT_FROM_EMAIL
