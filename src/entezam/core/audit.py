"""Recording audit events and keeping them tamper-evident.

Writers only INSERT an event row, signed with an HMAC under a key kept outside the
database (`audit_keys`); they never wait on a shared lock. A sealing job (`audit_seal`,
run every minute by beat, by the in-process ticker of `entezam demo`/`serve`, and by
`entezam audit seal`) takes the events not yet sealed, stores each one's digest, chains
the batch to the previous seal with a keyed hash, records the ids it found absent in its
range (rolled-back transactions), and appends the seal's hash to the anchor log outside
the database. `audit_verify` recomputes everything and names the first problem.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models, transaction
from django.utils import timezone

from . import audit_keys
from .bulk import insert_rows
from .context import current_request
from .models import AuditEvent, AuditLink, AuditSeal, AuditSealEntry
from .scoping import acting_role

GENESIS = "0" * 64
SEAL_BATCH = 5000
# Events younger than this are left for the next run: a transaction that took an id
# earlier may still be committing. The same slack is allowed between an event's time and
# its neighbours' (time and id are taken in one call, so they agree to within it).
SEAL_LAG = datetime.timedelta(seconds=5)


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        # Keep the name as it read then; the id finds the object.
        return f"{value} (#{value.pk})"
    if isinstance(value, set | frozenset | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def diff(before: dict, after: dict) -> dict:
    """`{field: [old, new]}` for the fields whose value changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    return {name: getattr(obj, name) for name in fields}


def record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model | None,
    changes: dict | None = None,
    reason: str = "",
    role: str | None = None,
    permission: str | None = None,
    target: tuple[str, str, str] | None = None,
) -> AuditEvent:
    """Record one audit event about `obj`, in the caller's transaction.

    `target` = (object type, object id, representation) names what the event is about when
    there is no object (a failed sign-in for a username nobody holds).
    """
    ctx = current_request.get()
    scope = obj.audit_scope() if obj is not None and hasattr(obj, "audit_scope") else {}
    if role is None:
        role = (
            acting_role(actor, permission or action.rsplit(".", 1)[-1], obj)
            if actor and obj is not None
            else ""
        )
    if obj is not None:
        target = (obj._meta.label_lower, str(obj.pk), str(obj)[:300])
    elif target is None:
        raise ValueError("an audit event needs an object or a target")
    event = AuditEvent(
        time=timezone.now(),
        # By key: core does not know the concrete user model (AUTH_USER_MODEL).
        actor_id=actor.pk if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "system",
        role=role,
        action=action,
        object_type=target[0],
        object_id=target[1],
        object_repr=target[2][:300],
        province_id=scope.get("province_id"),
        police_unit_id=scope.get("police_unit_id"),
        institution_id=scope.get("institution_id"),
        changes=_jsonable(changes or {}),
        reason=reason,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )
    sign(event)
    event.save(force_insert=True)
    return event


HASHED_FIELDS = (
    "id",
    "time",
    "actor_id",
    "actor_name",
    "role",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "province_id",
    "police_unit_id",
    "institution_id",
    "changes",
    "reason",
    "request_id",
    "ip",
)
# What an event's own MAC covers: everything but the id, which the database assigns at the
# insert (ids are covered by the seals, and their order against time is checked).
SIGNED_FIELDS = HASHED_FIELDS[1:]
VERIFY_FIELDS = (*HASHED_FIELDS, "key_id", "mac")


def _canonical(row: dict, names: Iterable[str]) -> bytes:
    payload = {name: _jsonable(row[name]) for name in names}
    if isinstance(payload["time"], str):
        # Normalise the stored precision and zone across databases.
        payload["time"] = (
            datetime.datetime.fromisoformat(payload["time"]).astimezone(datetime.UTC).isoformat()
        )
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_digest(row: dict) -> str:
    return hashlib.sha256(_canonical(row, HASHED_FIELDS)).hexdigest()


def sign(event: AuditEvent) -> None:
    """Set the event's key id and MAC (before it is inserted)."""
    ring = audit_keys.key_ring()
    row = {name: getattr(event, name) for name in SIGNED_FIELDS}
    event.key_id = ring.current_id
    event.mac = ring.sign(event.key_id, _canonical(row, SIGNED_FIELDS))


def event_mac_ok(row: dict, ring: audit_keys.KeyRing) -> bool:
    return bool(row["mac"]) and ring.verify(
        row["key_id"], _canonical(row, SIGNED_FIELDS), row["mac"]
    )


def chain_hash(previous_hash: str, digests: Iterable[str]) -> str:
    """The unkeyed chain of seals made before keys were introduced (verified, never made)."""
    h = hashlib.sha256(previous_hash.encode())
    for digest in digests:
        h.update(digest.encode())
    return h.hexdigest()


def seal_hash(ring: audit_keys.KeyRing, key_id: str, previous_hash: str, digests, absent) -> str:
    ranges = ",".join(f"{first}-{last}" for first, last in absent)
    payload = "|".join([previous_hash, ",".join(digests), ranges])
    return ring.sign(key_id, payload.encode())


def _absent_ranges(first: int, last: int) -> list[list[int]]:
    """The id ranges within [first, last] that no event row has."""
    ranges: list[list[int]] = []
    expected = first
    present = (
        AuditEvent.objects.filter(id__gte=first, id__lte=last)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for event_id in present.iterator(chunk_size=10_000):
        if event_id > expected:
            ranges.append([expected, event_id - 1])
        expected = event_id + 1
    if expected <= last:
        ranges.append([expected, last])
    return ranges


class _Ranges:
    """Sorted, merged id ranges; answers whether [first, last] lies inside them."""

    def __init__(self, ranges: Iterable[Iterable[int]]):
        merged: list[list[int]] = []
        for first, last in sorted((int(a), int(b)) for a, b in ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self.ranges = merged

    def covers(self, first: int, last: int) -> bool:
        index = bisect.bisect_right(self.ranges, [first, float("inf")]) - 1
        return index >= 0 and self.ranges[index][0] <= first and last <= self.ranges[index][1]

    def count(self) -> int:
        return sum(last - first + 1 for first, last in self.ranges)


def _lock_sealer() -> None:
    # Only sealers serialise on this; event writers never touch it.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [7_400_197])


def _anchor_missing(sink: audit_keys.AnchorSink) -> None:
    """Append the seals the anchor log does not have yet (a crash between the commit and
    the append leaves one out)."""
    anchored = max((anchor.number for anchor in sink.read()), default=0)
    for seal in AuditSeal.objects.filter(number__gt=anchored).order_by("number"):
        sink.append(audit_keys.Anchor(seal.number, seal.last_event_id, seal.hash))


def audit_seal(*, batch: int = SEAL_BATCH, now: datetime.datetime | None = None) -> int:
    """Seal pending events into the chain; returns how many were sealed."""
    cutoff = (now or timezone.now()) - SEAL_LAG
    ring = audit_keys.key_ring()
    sink = audit_keys.anchor_sink()
    _anchor_missing(sink)
    sealed = 0
    while True:
        with transaction.atomic():
            _lock_sealer()
            last = AuditSeal.objects.order_by("-number").first()
            rows = list(
                AuditEvent.objects.filter(time__lt=cutoff)
                .exclude(id__in=AuditSealEntry.objects.values("event_id"))
                .order_by("id")
                .values(*HASHED_FIELDS)[:batch]
            )
            if not rows:
                return sealed
            covered = max(AuditSeal.objects.aggregate(m=models.Max("last_event_id"))["m"] or 0, 0)
            top = rows[-1]["id"]
            absent = _absent_ranges(covered + 1, top) if top > covered else []
            digests = [event_digest(row) for row in rows]
            previous = last.hash if last else GENESIS
            key_id = ring.current_id
            seal = AuditSeal.objects.create(
                number=(last.number + 1) if last else 1,
                event_count=len(rows),
                last_event_id=max(top, covered),
                previous_hash=previous,
                key_id=key_id,
                absent_ranges=absent,
                hash=seal_hash(ring, key_id, previous, digests, absent),
            )
            AuditSealEntry.objects.bulk_create(
                AuditSealEntry(seal=seal, event_id=row["id"], position=i, digest=digest)
                for i, (row, digest) in enumerate(zip(rows, digests, strict=True))
            )
        # Outside the database only once the seal is committed in it.
        transaction.on_commit(
            partial(sink.append, audit_keys.Anchor(seal.number, seal.last_event_id, seal.hash))
        )
        sealed += len(rows)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    # changed | missing | inserted | chain | anchor | unanchored | unsealed | gap | reordered
    problem: str = ""
    event_id: int | None = None
    seal_number: int | None = None
    sealed: int = 0
    pending: int = 0
    absent: int = 0

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.sealed} events sealed, {self.pending} pending"
        messages = {
            "chain": f"seal {self.seal_number} does not chain (seal table altered)",
            "anchor": f"seal {self.seal_number} differs from the anchor log or is missing "
            "from the database",
            "unanchored": f"seal {self.seal_number} is not in the anchor log",
            "unsealed": f"event {self.event_id} is older than the seal lag and still unsealed",
            "gap": f"event {self.event_id} is missing: a gap in the ids no seal accounts for",
            "reordered": f"event {self.event_id} is out of order against time",
            "inserted": f"event {self.event_id} was inserted (not written by Entezam)",
        }
        if self.problem in messages:
            return f"FAILED: {messages[self.problem]}"
        where = f" (seal {self.seal_number})" if self.seal_number else ""
        return f"FAILED: event {self.event_id} was {self.problem}{where}"


def _fail(problem: str, event_id=None, seal_number=None) -> VerifyResult:
    return VerifyResult(False, problem, event_id, seal_number)


def audit_verify(*, now: datetime.datetime | None = None) -> VerifyResult:
    """Recompute every MAC, digest and seal, compare with the anchor log, and name the first
    event or seal that does not match."""
    now = now or timezone.now()
    ring = audit_keys.key_ring()
    grace = datetime.timedelta(seconds=settings.AUDIT_MAX_UNSEALED_SECONDS)

    seals = {seal.number: seal for seal in AuditSeal.objects.all()}
    # 1. The chain of seals and the digests of the events each one sealed.
    previous = GENESIS
    sealed = 0
    absent_ranges: list = []
    legacy_top = 0
    for number, seal in sorted(seals.items()):
        entries = list(seal.entries.order_by("position").values_list("event_id", "digest"))
        ids = [event_id for event_id, _ in entries]
        rows = {
            row["id"]: row for row in AuditEvent.objects.filter(id__in=ids).values(*HASHED_FIELDS)
        }
        for event_id, digest in entries:
            row = rows.get(event_id)
            if row is None:
                return _fail("missing", event_id, number)
            if event_digest(row) != digest:
                return _fail("changed", event_id, number)
        digests = [d for _, d in entries]
        if seal.key_id:
            expected = seal_hash(ring, seal.key_id, previous, digests, seal.absent_ranges)
        else:
            expected = chain_hash(previous, digests)
            legacy_top = max(legacy_top, seal.last_event_id)
        if (
            seal.previous_hash != previous
            or seal.hash != expected
            or seal.event_count != len(entries)
        ):
            return _fail("chain", seal_number=number)
        previous = seal.hash
        sealed += len(entries)
        absent_ranges.extend(seal.absent_ranges)
    numbers = sorted(seals)
    if numbers != list(range(1, len(numbers) + 1)):
        return _fail("chain", seal_number=next(n for i, n in enumerate(numbers, 1) if n != i))

    # 2. The anchor log outside the database against the seals in it.
    anchored = 0
    for anchor in audit_keys.anchor_sink().read():
        stored = seals.get(anchor.number)
        if (
            stored is None
            or stored.hash != anchor.hash
            or stored.last_event_id != anchor.last_event_id
        ):
            return _fail("anchor", seal_number=anchor.number)
        anchored = max(anchored, anchor.number)
    for number, seal in sorted(seals.items()):
        if number > anchored and seal.created_at < now - grace:
            return _fail("unanchored", seal_number=number)

    absent = _Ranges([*absent_ranges, [1, legacy_top]] if legacy_top else absent_ranges)

    # 3. Every event: its own MAC, its place in time, no unexplained gap, sealed in time.
    sealed_ids = AuditSealEntry.objects.order_by("event_id").values_list("event_id", flat=True)
    sealed_iter = iter(sealed_ids.iterator(chunk_size=10_000))
    next_sealed = next(sealed_iter, None)
    pending = 0
    # Seals account for every id from 1 (the first records the ids below its first event);
    # before the first seal, ids below the first event are no one's.
    expected_id = 1 if seals else (AuditEvent.objects.aggregate(m=models.Min("id"))["m"] or 1)
    previous_time = None
    events = AuditEvent.objects.order_by("id").values(*VERIFY_FIELDS)
    for row in events.iterator(chunk_size=5_000):
        event_id = row["id"]
        # An id nobody wrote is a rolled-back transaction, which the next seal records as
        # absent; one older than the seal lag that no seal accounts for was deleted.
        if (
            event_id > expected_id
            and row["time"] < now - SEAL_LAG
            and not absent.covers(expected_id, event_id - 1)
        ):
            return _fail("gap", expected_id)
        expected_id = event_id + 1
        while next_sealed is not None and next_sealed < event_id:
            next_sealed = next(sealed_iter, None)
        is_sealed = next_sealed == event_id
        if row["key_id"] or not is_sealed or event_id > legacy_top:
            if not row["mac"]:
                return _fail("inserted", event_id)
            if not event_mac_ok(row, ring):
                return _fail("changed", event_id)
        time = row["time"]
        if previous_time is not None and time < previous_time - SEAL_LAG:
            return _fail("reordered", event_id)
        previous_time = max(previous_time or time, time)
        if not is_sealed:
            pending += 1
            if time < now - grace:
                return _fail("unsealed", event_id)
    absent_count = _Ranges(absent_ranges).count()
    return VerifyResult(True, sealed=sealed, pending=pending, absent=absent_count)


class LinkRecorder:
    """Links of a bulk operation's audit event to the objects it touched, written as the
    operation goes (so memory does not grow with them), tied to the event at the end."""

    def __init__(self) -> None:
        self.run_key = uuid.uuid4().hex
        self.count = 0
        self._digest = hashlib.sha256()

    def add(self, model, ids: Iterable[int]) -> None:
        object_type = model._meta.label_lower
        rows = [(self.run_key, object_type, str(pk)) for pk in ids]
        if not rows:
            return
        for _key, _type, object_id in rows:
            self._digest.update(f"{object_type}#{object_id};".encode())
        self.count += len(rows)
        insert_rows(AuditLink, ("run_key", "object_type", "object_id"), rows)

    def summary(self) -> dict:
        return {"count": self.count, "sha256": self._digest.hexdigest(), "run": self.run_key}

    def attach(self, event: AuditEvent) -> None:
        AuditLink.objects.filter(run_key=self.run_key, event__isnull=True).update(event=event)


def for_reader(events: Iterable[AuditEvent], user) -> list[AuditEvent]:
    """Events as `user` may read them: every value a registered masker covers (a national
    code, say) is replaced, on these in-memory rows only, by what the pages show this user.
    Every list of events shown to someone (audit log, histories, panels) goes through it."""
    from .registry import CHANGE_MASKERS

    events = list(events)
    for masker in CHANGE_MASKERS:
        relevant = [
            event
            for event in events
            if isinstance(event.changes, dict) and masker.fields & event.changes.keys()
        ]
        if not relevant:
            continue
        show = masker.prepare(user, relevant)
        for event in relevant:
            changes = dict(event.changes)
            for name in masker.fields & changes.keys():
                value = changes[name]
                if isinstance(value, list):
                    changes[name] = [show(event, item) for item in value]
                else:
                    changes[name] = show(event, value)
            event.changes = changes
    return events


def for_reader_iter(events: Iterable[AuditEvent], user, chunk: int = 2000):
    """`for_reader` over a long stream (an export), a chunk at a time."""
    batch: list[AuditEvent] = []
    for event in events:
        batch.append(event)
        if len(batch) >= chunk:
            yield from for_reader(batch, user)
            batch = []
    if batch:
        yield from for_reader(batch, user)
