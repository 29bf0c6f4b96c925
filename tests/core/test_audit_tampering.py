"""`entezam audit verify` fails for each way an intruder with database access (but not the
audit key, nor the anchor log) could rewrite history."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from entezam.core.audit import (
    GENESIS,
    HASHED_FIELDS,
    SEAL_LAG,
    audit_seal,
    audit_verify,
    chain_hash,
    event_digest,
    sign,
)
from entezam.core.audit_keys import FileAnchor, rotate_key
from entezam.core.models import AuditEvent, AuditSeal, AuditSealEntry
from entezam.core.periodic import run_round
from entezam.institutions import services

pytestmark = pytest.mark.django_db


def _later(minutes: float = 0) -> datetime.datetime:
    return timezone.now() + SEAL_LAG + datetime.timedelta(seconds=1, minutes=minutes)


def _events(world, count: int) -> list[AuditEvent]:
    for n in range(count):
        services.institution_update(
            actor=world.hq_admin, institution=world.inst_a, phone=f"0215501{n:04d}"
        )
    return list(AuditEvent.objects.order_by("id"))


def _by_hand(sql: str, params: list) -> None:
    """As the table's owner would: around the append-only trigger (PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


@pytest.fixture
def sealed(world, django_capture_on_commit_callbacks):
    events = _events(world, 4)
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_seal(now=_later()) == 4
    assert audit_verify().ok
    return events


def _fails(problem: str, now=None) -> None:
    result = audit_verify(now=now)
    assert not result.ok
    assert result.problem == problem, result.describe()
    if now is None:
        with pytest.raises(CommandError, match="FAILED"):
            call_command("audit", "verify", stdout=StringIO())


def test_a_backdated_event_inserted_with_the_next_id_fails(sealed, world):
    AuditEvent.objects.create(
        id=sealed[-1].pk + 1,
        time=timezone.now() - datetime.timedelta(hours=3),
        actor_name="hq",
        action="institution.suspend",
        object_type="institutions.institution",
        object_id=str(world.inst_b.pk),
        reason="ثبت پس از وقوع",
    )
    _fails("inserted")


def test_a_pending_event_changed_fails(sealed, world):
    pending = _events(world, 1)[-1]
    _by_hand("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["دستکاری", pending.pk])
    _fails("changed")


def test_a_pending_event_deleted_fails(world):
    events = _events(world, 3)
    _by_hand("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    result = audit_verify(now=_later())
    assert (result.problem, result.event_id) == ("gap", events[1].pk)


def test_dropping_the_newest_seal_and_rewriting_its_events_fails(sealed, world):
    newest = AuditSeal.objects.get()
    AuditSealEntry.objects.filter(seal=newest).delete()
    newest.delete()
    _by_hand("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["بازنویسی", sealed[0].pk])
    _fails("anchor")


def test_dropping_every_seal_fails(sealed):
    AuditSealEntry.objects.all().delete()
    AuditSeal.objects.all().delete()
    _fails("anchor")


def test_a_chain_recomputed_with_the_unkeyed_functions_fails(sealed):
    # The intruder rewrites an event and rebuilds its digest and the seal as the old,
    # unkeyed chain did: without the key the seal cannot be rebuilt to verify.
    target = sealed[0]
    _by_hand("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["بازنویسی", target.pk])
    row = AuditEvent.objects.filter(pk=target.pk).values(*HASHED_FIELDS).get()
    AuditSealEntry.objects.filter(event_id=target.pk).update(digest=event_digest(row))
    seal = AuditSeal.objects.get()
    digests = list(seal.entries.order_by("position").values_list("digest", flat=True))
    AuditSeal.objects.filter(pk=seal.pk).update(
        key_id="", previous_hash=GENESIS, hash=chain_hash(GENESIS, digests)
    )
    _fails("anchor")
    # Even with the anchor log rewritten as well, the event's own MAC gives it away.
    FileAnchor().path.write_text(f"1 {seal.last_event_id} {chain_hash(GENESIS, digests)}\n")
    _fails("changed")


def test_events_older_than_the_seal_lag_still_unsealed_fail(world):
    _events(world, 2)
    assert audit_verify().ok
    _fails("unsealed", now=_later(minutes=10))


def test_ids_out_of_order_against_time_fail(sealed):
    # Only Entezam can sign; a signed event given an earlier time than its predecessor,
    # as a clock turned back by an intruder on the server would, is still refused.
    event = AuditEvent(
        id=sealed[-1].pk + 1,
        time=sealed[-1].time - datetime.timedelta(hours=1),
        actor_name="system",
        action="institution.update",
        object_type="institutions.institution",
        object_id="1",
    )
    sign(event)
    event.save(force_insert=True)
    _fails("reordered")


def test_a_seal_missing_from_the_anchor_log_fails_once_old(sealed):
    FileAnchor().path.write_text("")
    assert audit_verify().ok  # just made: the sealer appends it on its next run
    _fails("unanchored", now=_later(minutes=10))


def test_the_sealer_catches_up_the_anchor_log(sealed, world, django_capture_on_commit_callbacks):
    FileAnchor().path.write_text("")
    _events(world, 1)
    with django_capture_on_commit_callbacks(execute=True):
        audit_seal(now=_later())
    assert [a.number for a in FileAnchor().read()] == [1, 2]
    assert audit_verify(now=_later(minutes=10)).ok


def test_a_rolled_back_id_is_recorded_by_the_seal(world, django_capture_on_commit_callbacks):
    events = _events(world, 3)
    # Like a transaction that rolled back after writing its event.
    _by_hand("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    with django_capture_on_commit_callbacks(execute=True):
        audit_seal(now=_later())
    seal = AuditSeal.objects.get()
    assert [events[1].pk, events[1].pk] in seal.absent_ranges
    result = audit_verify(now=_later(minutes=10))
    assert result.ok and result.absent >= 1


def test_a_rotated_key_signs_new_events_and_old_ones_still_verify(
    sealed, world, django_capture_on_commit_callbacks
):
    old_key = sealed[0].key_id
    new_key = rotate_key()
    assert new_key != old_key
    event = _events(world, 1)[-1]
    assert event.key_id == new_key
    with django_capture_on_commit_callbacks(execute=True):
        audit_seal(now=_later())
    assert AuditSeal.objects.order_by("-number").first().key_id == new_key
    assert audit_verify().ok


def test_the_periodic_round_seals(world, django_capture_on_commit_callbacks):
    # The demo and `entezam serve` run this round every minute in-process (and beat does
    # in production): nothing stays unsealed for long.
    minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    event = AuditEvent(
        time=minute_ago,
        actor_name="system",
        action="institution.update",
        object_type="institutions.institution",
        object_id="1",
    )
    sign(event)
    event.save(force_insert=True)
    with django_capture_on_commit_callbacks(execute=True):
        results = run_round(force=True)
    assert results["audit-seal"] == "1"
    assert AuditSealEntry.objects.filter(event_id=event.pk).exists()
