"""The public answer to "may this person work here, now, in this role?".

A token is looked up only when it has the shape tokens have; anything else is "unknown"
at once. The answer is read in one indexed query of only the public columns (no model
instances), and rendered without the logged-in pages' context. Every check is recorded
(time, result, a salted hash of the address): with Redis behind the cache the record is
pushed onto a list in one round trip and the periodic round moves the list into
`VerificationCheck` in bulk (`drain_checks`, idempotent: each record carries its own id),
so a check costs no database write on the request path; without Redis (the embedded demo)
it is one INSERT; the limit is counted in the same round trip. An address that checks too
often in a minute is answered "too many checks" (429), and once a process has seen it over
the limit, without a lookup for the rest of that minute."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from entezam.core.counters import count_hit, redis_client
from entezam.personnel.choices import Position

from .choices import CheckResult
from .models import Card, VerificationCheck
from .services import status_from_causes

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")
RATE_WINDOW_SECONDS = 60
# Cache keys (under the cache's own prefix) of the buffered checks and of the drain's lock.
CHECK_BUFFER = "credential-checks"
CHECK_DRAIN_LOCK = "credential-checks-drain"
DRAIN_BATCH = 5000


def ip_hash(address: str) -> str:
    salt = settings.SECRET_KEY.encode()
    return hashlib.sha256(salt + b"|verify|" + (address or "").encode()).hexdigest()


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(hashed: str) -> bool:
    """Count one request of the address's (pages beside the check: the photo, the register)."""
    count = count_hit(f"verify-rate:{hashed}:{_window()}", RATE_WINDOW_SECONDS * 2)
    return count > settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE


# The columns the public answer reads: the card, its holder's names and photo, its
# institution's name and state, whether its employment ended. Nothing private.
_PUBLIC_COLUMNS = (
    "id",
    "number",
    "token",
    "position",
    "expires_on",
    "status",
    "status_reason",
    "status_changed_at",
    "person__first_name",
    "person__last_name",
    "person__photo",
    "institution__name",
    "institution__status",
    "institution__status_changed_at",
    "employment__end_date",
)


@dataclass
class Answer:
    result: str
    row: dict = field(default_factory=dict)
    status_changed_at: datetime.datetime | None = None

    @property
    def found(self) -> bool:
        return bool(self.row)

    @property
    def token(self) -> str:
        return self.row.get("token", "")

    @property
    def expires_on(self) -> datetime.date | None:
        return self.row.get("expires_on")

    @property
    def has_photo(self) -> bool:
        return bool(self.row.get("person__photo"))

    @property
    def position_label(self) -> str:
        position = self.row.get("position", "")
        return str(Position(position).label) if position in Position.values else position

    def public_fields(self) -> dict:
        """What the public may read: never the national code, birth date, mobile or address."""
        from entezam.core.persian import format_jalali

        if not self.row:
            return {"result": self.result}
        row = self.row
        return {
            "result": self.result,
            "number": row["number"],
            "first_name": row["person__first_name"],
            "last_name": row["person__last_name"],
            "institution": row["institution__name"],
            "position": self.position_label,
            "valid_until": row["expires_on"].isoformat(),
            "valid_until_jalali": format_jalali(row["expires_on"], digits="en"),
            "status_changed_at": self.status_changed_at.isoformat()
            if self.status_changed_at
            else None,
            "has_photo": self.has_photo,
        }


def well_formed(token) -> str | None:
    token = str(token or "")
    return token if TOKEN_PATTERN.fullmatch(token) else None


def card_by_token(token: str) -> Card | None:
    """The card a verification token names (with its holder and institution), or None for
    anything that is not a well-formed, issued token."""
    token = well_formed(token)
    if token is None:
        return None
    return (
        Card.objects.select_related("person", "institution", "employment")
        .filter(token=token)
        .first()
    )


def _public_query(token: str):
    return Card.objects.filter(token=token).values(*_PUBLIC_COLUMNS)[:1]


@functools.cache
def _prepared_sql() -> tuple[str, list[str]]:
    """The public query's SQL (compiled once by the ORM from `_public_query`) and the names
    of its columns, for running it as a prepared statement on PostgreSQL."""
    query = _public_query("").query
    sql, params = query.get_compiler(using="default").as_sql()
    assert list(params) == [""], params  # the token is the one parameter
    return sql, [*query.extra_select, *query.values_select, *query.annotation_select]


def _public_row(token: str) -> dict | None:
    token = well_formed(token)
    if token is None:
        return None
    if connection.vendor == "postgresql":
        # The busiest public query runs as a server-side prepared statement on the request's
        # persistent connection: planned once per connection, not once per check.
        import psycopg

        sql, names = _prepared_sql()
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, [token], prepare=True)
            found = cursor.fetchone()
        return dict(zip(names, found, strict=True)) if found else None
    rows = list(_public_query(token))
    return rows[0] if rows else None


def verify(token: str, address: str, channel: str = "page") -> Answer:
    hashed = ip_hash(address)
    window = _window()
    if _LIMITED_HERE.get(hashed) == (window, settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE):
        return Answer(CheckResult.LIMITED)  # known over the limit: no lookup, no round trip
    row = _public_row(token)
    if row is None:
        status, changed_at = CheckResult.UNKNOWN, None
    else:
        status, _cause = status_from_causes(
            status=row["status"],
            status_reason=row["status_reason"],
            expires_on=row["expires_on"],
            employment_ended=row["employment__end_date"] is not None,
            institution_status=row["institution__status"],
        )
        changed_at = row["status_changed_at"]
        # The cause changed after the last reconcile: the answer follows the cause now, and
        # so does the time it changed (the institution's, when it is the cause).
        if (
            status != row["status"]
            and status in ("suspended", "revoked")
            and row["institution__status"] in ("suspended", "revoked", "closed")
        ):
            changed_at = row["institution__status_changed_at"] or changed_at
    allowed = count_and_record(
        hashed=hashed,
        window=window,
        card_id=row["id"] if row else None,
        result=status,
        channel=channel,
    )
    if not allowed:
        _remember_limited(hashed, window)
        return Answer(CheckResult.LIMITED)
    return Answer(status, row or {}, changed_at)


def _window() -> int:
    return int(timezone.now().timestamp()) // RATE_WINDOW_SECONDS


# Addresses this process found over the limit, with the window (and limit) they were found
# in: their next checks in that window are refused before any lookup (each process pays at
# most one lookup per address and window past the limit). Bounded; emptied when full.
_LIMITED_HERE: dict[str, tuple[int, int]] = {}
_LIMITED_HERE_SIZE = 10_000


def forget_limited() -> None:
    """Forget the addresses this process saw over the limit (as when the cache is cleared)."""
    _LIMITED_HERE.clear()


def _remember_limited(hashed: str, window: int) -> None:
    if len(_LIMITED_HERE) >= _LIMITED_HERE_SIZE:
        _LIMITED_HERE.clear()
    _LIMITED_HERE[hashed] = (window, settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE)


# Count the check in its address's window and, when within the limit, buffer its record:
# one round trip, atomically (a refused check is not recorded).
_COUNT_AND_BUFFER = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n <= tonumber(ARGV[2]) then redis.call('RPUSH', KEYS[2], ARGV[3]) end
return n
"""


def count_and_record(
    *, hashed: str, window: int, card_id: int | None, result: str, channel: str
) -> bool:
    """Count one check against its address's limit and record it when allowed: on Redis
    one scripted round trip (the record goes onto the list `drain_checks` stores), else the
    cache counter and one INSERT. False when the address is over the limit."""
    limit = settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE
    key = f"verify-rate:{hashed}:{window}"
    now = timezone.now()
    client = redis_client()
    if client is None:
        if count_hit(key, RATE_WINDOW_SECONDS * 2) > limit:
            return False
        VerificationCheck.objects.create(
            time=now, card_id=card_id, result=result, ip_hash=hashed, channel=channel
        )
        return True
    record = json.dumps(
        [uuid.uuid4().hex, now.timestamp(), card_id, result, hashed, channel],
        separators=(",", ":"),
    )
    script = client.register_script(_COUNT_AND_BUFFER)  # EVALSHA: the script is sent once
    count = script(
        keys=[cache.make_key(key), cache.make_key(CHECK_BUFFER)],
        args=[RATE_WINDOW_SECONDS * 2, limit, record],
    )
    return int(count) <= limit


def _check_from(raw: bytes) -> VerificationCheck | None:
    try:
        ref, stamp, card_id, result, hashed, channel = json.loads(raw)
        return VerificationCheck(
            ref=uuid.UUID(hex=ref),
            time=datetime.datetime.fromtimestamp(float(stamp), tz=datetime.UTC),
            card_id=int(card_id) if card_id is not None else None,
            result=str(result)[:20],
            ip_hash=str(hashed)[:64],
            channel=str(channel)[:10],
        )
    except (TypeError, ValueError, OverflowError):
        return None  # not ours: dropped rather than blocking the list


def drain_checks() -> int:
    """Move buffered checks into `VerificationCheck` (periodic; safe to run twice at once:
    one drain holds the lock, and a batch stored but not yet trimmed off the list is not
    stored again on the next run, by its id). Returns the checks stored."""
    client = redis_client()
    if client is None:
        return 0
    buffer = cache.make_key(CHECK_BUFFER)
    lock = client.lock(cache.make_key(CHECK_DRAIN_LOCK), timeout=600, blocking_timeout=0)
    if not lock.acquire(blocking=False):
        return 0
    stored = 0
    try:
        while True:
            raw = client.lrange(buffer, 0, DRAIN_BATCH - 1)
            if not raw:
                return stored
            checks = [check for check in map(_check_from, raw) if check is not None]
            known = {c.pk for c in Card.objects.filter(pk__in={c.card_id for c in checks})}
            for check in checks:
                if check.card_id not in known:
                    check.card_id = None  # a card deleted since: the check still counts
            with transaction.atomic():
                VerificationCheck.objects.bulk_create(checks, ignore_conflicts=True)
            client.ltrim(buffer, len(raw), -1)
            stored += len(checks)
    finally:
        lock.release()
