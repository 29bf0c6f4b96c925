"""The public answer to "may this person work here, now, in this role?".

A token is looked up only when it has the shape tokens have; anything else is "unknown"
at once. The answer is read in one indexed query of only the public columns (no model
instances; on PostgreSQL a prepared statement, planned once per connection), and rendered
without the logged-in pages' context. The address's limit is counted before the lookup: an
address over it is answered "too many checks" (429) without one. Every check is recorded
(time, result, a salted hash of the address): with Redis behind the cache each process
keeps its checks for up to a second and pushes them, with its counts, in one round trip
onto a list that the periodic round moves into `VerificationCheck` in bulk (`drain_checks`,
idempotent: each record carries its own id), so a check costs no database write and, most
of the time, no round trip; without Redis (the embedded demo) it is one INSERT."""

from __future__ import annotations

import atexit
import datetime
import functools
import hashlib
import json
import re
import threading
import time
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
    # A token is unique: no ordering (the model's would add a sort to every check).
    return Card.objects.filter(token=token).order_by().values(*_PUBLIC_COLUMNS)[:1]


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
    if not admit(hashed, window):
        return Answer(CheckResult.LIMITED)  # over the limit: no lookup, not recorded
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
    record(hashed=hashed, card_id=row["id"] if row else None, result=status, channel=channel)
    return Answer(status, row or {}, changed_at)


def _window() -> int:
    return int(timezone.now().timestamp()) // RATE_WINDOW_SECONDS


def _rate_key(hashed: str, window: int) -> str:
    return f"verify-rate:{hashed}:{window}"


# With Redis, this process keeps its checks and its counts for at most
# settings.CREDENTIAL_CHECK_PUSH_SECONDS (a second) or PUSH_BATCH checks, and pushes them
# in one round trip: the records onto the list `drain_checks` stores, each address's count
# added to its window's counter, whose totals (every process's) come back. An address is
# refused once the last total this process saw plus what it counted since reaches the
# limit: the limit holds at once within a process and across processes from their next
# push (the other processes may let through one push interval's worth more). A worker
# killed outright loses its unpushed checks (at most a second's); one that stops pushes
# them as it exits.
PUSH_BATCH = 200


class _Pending:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.records: list[str] = []
        self.counted: dict[str, int] = {}  # rate key -> checks counted here since the push
        self.totals: dict[str, int] = {}  # rate key -> every process's count at the push
        self.pushed_at = time.monotonic()


_PENDING = _Pending()


def forget_checks() -> None:
    """Drop this process's unpushed checks and counts (as when the cache is cleared)."""
    with _PENDING.lock:
        _PENDING.records.clear()
        _PENDING.counted.clear()
        _PENDING.totals.clear()
        _PENDING.pushed_at = time.monotonic()


def admit(hashed: str, window: int) -> bool:
    """Count one check of the address's in this window; False when it is over the limit."""
    limit = settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE
    key = _rate_key(hashed, window)
    if redis_client() is None:
        return count_hit(key, RATE_WINDOW_SECONDS * 2) <= limit
    with _PENDING.lock:
        counted = _PENDING.counted.get(key, 0)
        if _PENDING.totals.get(key, 0) + counted >= limit:
            return False
        _PENDING.counted[key] = counted + 1
    return True


def record(*, hashed: str, card_id: int | None, result: str, channel: str) -> None:
    """Record one admitted check: kept for the next push with Redis, else one INSERT."""
    now = timezone.now()
    client = redis_client()
    if client is None:
        VerificationCheck.objects.create(
            time=now, card_id=card_id, result=result, ip_hash=hashed, channel=channel
        )
        return
    line = json.dumps(
        [uuid.uuid4().hex, now.timestamp(), card_id, result, hashed, channel],
        separators=(",", ":"),
    )
    with _PENDING.lock:
        _PENDING.records.append(line)
        due = (
            len(_PENDING.records) >= PUSH_BATCH
            or time.monotonic() - _PENDING.pushed_at >= settings.CREDENTIAL_CHECK_PUSH_SECONDS
        )
    if due:
        push_checks()


# KEYS: the record list, then the counters; ARGV: the counters' lifetime, each counter's
# increment, then the records. Returns each counter's total.
_PUSH = """
local totals = {}
for i = 2, #KEYS do
  local n = redis.call('INCRBY', KEYS[i], ARGV[i])
  if n == tonumber(ARGV[i]) then redis.call('EXPIRE', KEYS[i], ARGV[1]) end
  totals[#totals + 1] = n
end
local first = #KEYS + 1
if #ARGV >= first then redis.call('RPUSH', KEYS[1], unpack(ARGV, first, #ARGV)) end
return totals
"""


def push_checks() -> int:
    """Push this process's checks and counts to Redis in one round trip (also before a
    drain and as the process exits). Returns the checks pushed."""
    client = redis_client()
    if client is None:
        return 0
    with _PENDING.lock:
        records, counted = _PENDING.records, _PENDING.counted
        _PENDING.records, _PENDING.counted = [], {}
        _PENDING.pushed_at = time.monotonic()
        current = str(_window())
        # Totals of windows that ended are no use any more.
        _PENDING.totals = {k: v for k, v in _PENDING.totals.items() if k.endswith(current)}
    if not records and not counted:
        return 0
    keys = list(counted)
    script = client.register_script(_PUSH)  # EVALSHA: the script is sent once
    try:
        totals = script(
            keys=[cache.make_key(CHECK_BUFFER), *map(cache.make_key, keys)],
            args=[RATE_WINDOW_SECONDS * 2, *(counted[k] for k in keys), *records],
        )
    except Exception:
        # Redis is away: keep them for the next push rather than lose them.
        with _PENDING.lock:
            _PENDING.records[:0] = records
            for key, n in counted.items():
                _PENDING.counted[key] = _PENDING.counted.get(key, 0) + n
        raise
    with _PENDING.lock:
        for key, total in zip(keys, totals, strict=True):
            _PENDING.totals[key] = int(total)
    return len(records)


atexit.register(lambda: _push_quietly())


def _push_quietly() -> None:
    try:
        push_checks()
    except Exception:  # exiting: nothing left to tell
        return


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
    push_checks()  # this process's own, first
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
