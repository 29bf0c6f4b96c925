"""Recording audit events and keeping them tamper-evident.

Writers only INSERT an event row; they never wait on a shared lock. A sealing job
(`audit_seal`, run by beat and by `entezam audit seal`) takes the events not yet sealed,
stores each one's digest and chains the batch to the previous seal. `audit_verify`
recomputes everything and names the first event that was changed, inserted or removed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models, transaction
from django.utils import timezone

from .context import current_request
from .models import AuditEvent, AuditSeal, AuditSealEntry
from .scoping import acting_role

GENESIS = "0" * 64
SEAL_BATCH = 5000
# Events younger than this are left for the next run: a transaction that took an id
# earlier may still be committing.
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
    obj: models.Model,
    changes: dict | None = None,
    reason: str = "",
    role: str | None = None,
    permission: str | None = None,
) -> AuditEvent:
    """Record one audit event about `obj`, in the caller's transaction."""
    ctx = current_request.get()
    scope = obj.audit_scope() if hasattr(obj, "audit_scope") else {}
    if role is None:
        role = acting_role(actor, permission or action.rsplit(".", 1)[-1], obj) if actor else ""
    return AuditEvent.objects.create(
        time=timezone.now(),
        # By key: core does not know the concrete user model (AUTH_USER_MODEL).
        actor_id=actor.pk if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "system",
        role=role,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        province_id=scope.get("province_id"),
        police_unit_id=scope.get("police_unit_id"),
        institution_id=scope.get("institution_id"),
        changes=_jsonable(changes or {}),
        reason=reason,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )


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


def event_digest(row: dict) -> str:
    payload = {name: _jsonable(row[name]) for name in HASHED_FIELDS}
    if isinstance(payload["time"], str):
        # Normalise the stored precision and zone across databases.
        payload["time"] = (
            datetime.datetime.fromisoformat(payload["time"]).astimezone(datetime.UTC).isoformat()
        )
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def chain_hash(previous_hash: str, digests: Iterable[str]) -> str:
    h = hashlib.sha256(previous_hash.encode())
    for digest in digests:
        h.update(digest.encode())
    return h.hexdigest()


def _lock_sealer() -> None:
    # Only sealers serialise on this; event writers never touch it.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [7_400_197])


def audit_seal(*, batch: int = SEAL_BATCH, now: datetime.datetime | None = None) -> int:
    """Seal pending events into the chain; returns how many were sealed."""
    cutoff = (now or timezone.now()) - SEAL_LAG
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
            digests = [event_digest(row) for row in rows]
            previous = last.hash if last else GENESIS
            seal = AuditSeal.objects.create(
                number=(last.number + 1) if last else 1,
                event_count=len(rows),
                last_event_id=rows[-1]["id"],
                previous_hash=previous,
                hash=chain_hash(previous, digests),
            )
            AuditSealEntry.objects.bulk_create(
                AuditSealEntry(seal=seal, event_id=row["id"], position=i, digest=digest)
                for i, (row, digest) in enumerate(zip(rows, digests, strict=True))
            )
            sealed += len(rows)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    problem: str = ""  # changed | inserted | missing | chain
    event_id: int | None = None
    seal_number: int | None = None
    sealed: int = 0
    pending: int = 0

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.sealed} events sealed, {self.pending} pending"
        if self.problem == "chain":
            return f"FAILED: seal {self.seal_number} does not chain (seal table altered)"
        return f"FAILED: event {self.event_id} was {self.problem} (seal {self.seal_number})"


def audit_verify(*, now: datetime.datetime | None = None) -> VerifyResult:
    """Recompute every digest and the chain; name the first event that does not match."""
    previous = GENESIS
    sealed = 0
    max_sealed_id = 0
    for seal in AuditSeal.objects.order_by("number").iterator():
        entries = list(seal.entries.order_by("position").values_list("event_id", "digest"))
        ids = [event_id for event_id, _ in entries]
        rows = {
            row["id"]: row for row in AuditEvent.objects.filter(id__in=ids).values(*HASHED_FIELDS)
        }
        for event_id, digest in entries:
            row = rows.get(event_id)
            if row is None:
                return VerifyResult(False, "missing", event_id, seal.number)
            if event_digest(row) != digest:
                return VerifyResult(False, "changed", event_id, seal.number)
        if (
            seal.previous_hash != previous
            or seal.hash != chain_hash(previous, [d for _, d in entries])
            or seal.event_count != len(entries)
        ):
            return VerifyResult(False, "chain", None, seal.number)
        previous = seal.hash
        sealed += len(entries)
        max_sealed_id = max(max_sealed_id, seal.last_event_id)
    unsealed = AuditEvent.objects.exclude(id__in=AuditSealEntry.objects.values("event_id"))
    # An unsealed event below the sealed range that is older than the last seal was
    # not there when that seal ran: it was inserted afterwards.
    last_seal = AuditSeal.objects.order_by("-number").first()
    if last_seal is not None:
        intruder = (
            unsealed.filter(id__lt=max_sealed_id, time__lt=last_seal.created_at - SEAL_LAG)
            .order_by("id")
            .first()
        )
        if intruder is not None:
            return VerifyResult(False, "inserted", intruder.id, last_seal.number)
    return VerifyResult(True, sealed=sealed, pending=unsealed.count())
