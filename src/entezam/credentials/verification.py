"""The public answer to "may this person work here, now, in this role?".

A token is looked up only when it has the shape tokens have; anything else is "unknown"
at once. Every check is recorded (time, result, a salted hash of the address); an address
that checks too often in a minute is answered "too many checks" (429) without a lookup."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .choices import CheckResult
from .models import Card, VerificationCheck
from .services import effective_status

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")
RATE_WINDOW_SECONDS = 60


def ip_hash(address: str) -> str:
    salt = settings.SECRET_KEY.encode()
    return hashlib.sha256(salt + b"|verify|" + (address or "").encode()).hexdigest()


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(hashed: str) -> bool:
    key = f"verify-rate:{hashed}:{int(timezone.now().timestamp()) // RATE_WINDOW_SECONDS}"
    cache.add(key, 0, RATE_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    return count > settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE


@dataclass
class Answer:
    result: str
    card: Card | None = None
    status_changed_at: object = None

    def public_fields(self) -> dict:
        """What the public may read: never the national code, birth date, mobile or address."""
        from entezam.core.persian import format_jalali

        if self.card is None:
            return {"result": self.result}
        card = self.card
        return {
            "result": self.result,
            "number": card.number,
            "first_name": card.person.first_name,
            "last_name": card.person.last_name,
            "institution": card.institution.name,
            "position": card.get_position_display(),
            "valid_until": card.expires_on.isoformat(),
            "valid_until_jalali": format_jalali(card.expires_on, digits="en"),
            "status_changed_at": self.status_changed_at.isoformat()
            if self.status_changed_at
            else None,
            "has_photo": bool(card.person.photo),
        }


def card_by_token(token: str) -> Card | None:
    """The card a verification token names (with its holder and institution), or None for
    anything that is not a well-formed, issued token."""
    token = str(token or "")
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    return (
        Card.objects.select_related("person", "institution", "employment")
        .filter(token=token)
        .first()
    )


def verify(token: str, address: str, channel: str = "page") -> Answer:
    hashed = ip_hash(address)
    if rate_limited(hashed):
        return Answer(CheckResult.LIMITED)
    card = card_by_token(token)
    if card is None:
        VerificationCheck.objects.create(
            result=CheckResult.UNKNOWN, ip_hash=hashed, channel=channel
        )
        return Answer(CheckResult.UNKNOWN)
    status, _cause = effective_status(card)
    changed_at = card.status_changed_at
    if status != card.status:
        # The cause changed after the last reconcile: the answer follows the cause now.
        changed_at = _cause_time(card, status) or changed_at
    record_check(card=card, result=status, ip_hash=hashed, channel=channel)
    return Answer(status, card, changed_at)


def record_check(**fields) -> None:
    """Record one check (one autocommitted INSERT: a single round trip)."""
    VerificationCheck.objects.create(**fields)


def _cause_time(card: Card, status: str):
    if status in ("suspended", "revoked") and card.institution.status in (
        "suspended",
        "revoked",
        "closed",
    ):
        return card.institution.status_changed_at
    return None
