"""The audit log is tamper-evident: sealing, verification, the append-only trigger."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from entezam.core.audit import (
    GENESIS,
    HASHED_FIELDS,
    SEAL_LAG,
    audit_seal,
    audit_verify,
    event_digest,
    seal_hash,
    sign,
)
from entezam.core.audit_keys import key_ring
from entezam.core.models import AuditEvent, AuditSeal, AuditSealEntry
from entezam.institutions import services

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")


def _later():
    """A `now` for the sealer under which every event already written is old enough."""
    return timezone.now() + SEAL_LAG + datetime.timedelta(seconds=1)


def _make_events(world, count: int) -> list[AuditEvent]:
    """`count` real audit events, written by the services a user would call."""
    for n in range(count):
        services.institution_update(
            actor=world.hq_admin, institution=world.inst_a, phone=f"0215500{n:04d}"
        )
    return list(AuditEvent.objects.order_by("id"))


def _by_hand(sql: str, params: list) -> None:
    """Change the audit table the way an intruder with database access would.

    On PostgreSQL the append-only trigger is switched off first, as its owner could;
    the chain must still notice. The test transaction undoes all of it.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def _signed_event(**fields) -> AuditEvent:
    """An event as Entezam writes it (signed with the audit key), with a chosen time."""
    event = AuditEvent(**fields)
    sign(event)
    event.save(force_insert=True)
    return event


@pytest.fixture
def sealed(world):
    events = _make_events(world, 4)
    assert audit_seal(now=_later()) == 4
    return events


def test_seal_then_verify_is_ok(sealed):
    result = audit_verify()

    assert result.ok
    assert (result.sealed, result.pending) == (4, 0)
    assert AuditSealEntry.objects.count() == 4
    assert audit_seal(now=_later()) == 0


def test_recent_events_wait_for_the_next_seal(world):
    _make_events(world, 2)

    assert audit_seal() == 0
    result = audit_verify()
    assert result.ok
    assert (result.sealed, result.pending) == (0, 2)


def test_changed_event_is_named(sealed):
    target = sealed[2]
    _by_hand("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["پاک شد", target.pk])

    result = audit_verify()

    assert not result.ok
    assert (result.problem, result.event_id) == ("changed", target.pk)
    assert f"event {target.pk} was changed" in result.describe()


def test_changed_actor_is_named(sealed):
    target = sealed[0]
    _by_hand("UPDATE core_auditevent SET actor_name = %s WHERE id = %s", ["someone", target.pk])

    result = audit_verify()

    assert (result.problem, result.event_id) == ("changed", target.pk)


def test_deleted_event_is_named_missing(sealed):
    target = sealed[1]
    _by_hand("DELETE FROM core_auditevent WHERE id = %s", [target.pk])

    result = audit_verify()

    assert not result.ok
    assert (result.problem, result.event_id) == ("missing", target.pk)


def test_backdated_inserted_event_is_named(sealed, world):
    intruder_id = sealed[0].pk - 1
    AuditEvent.objects.create(
        id=intruder_id,
        time=timezone.now() - datetime.timedelta(hours=3),
        actor_name="hq",
        action="institution.suspend",
        object_type="institutions.institution",
        object_id=str(world.inst_b.pk),
        reason="ثبت پس از وقوع",
    )

    result = audit_verify()

    assert not result.ok
    assert (result.problem, result.event_id) == ("inserted", intruder_id)


def test_new_event_after_a_seal_is_pending_not_inserted(sealed, world):
    _make_events(world, 1)

    result = audit_verify()

    assert result.ok
    assert (result.sealed, result.pending) == (4, 1)


def test_tampered_seal_hash_breaks_the_chain(sealed):
    AuditSeal.objects.filter(number=1).update(hash="f" * 64)

    result = audit_verify()

    assert not result.ok
    assert (result.problem, result.seal_number) == ("chain", 1)


def test_rewritten_digest_breaks_the_chain(sealed):
    # An intruder who changes an event and its stored digest still cannot fix the seal hash.
    target = sealed[0]
    _by_hand("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["پاک شد", target.pk])
    row = AuditEvent.objects.filter(pk=target.pk).values(*HASHED_FIELDS).get()
    AuditSealEntry.objects.filter(event_id=target.pk).update(digest=event_digest(row))

    result = audit_verify()

    assert (result.problem, result.seal_number) == ("chain", 1)


def test_sealing_is_batched_and_chained(world):
    _make_events(world, 5)

    assert audit_seal(batch=2, now=_later()) == 5

    seals = list(AuditSeal.objects.order_by("number"))
    assert [s.number for s in seals] == [1, 2, 3]
    assert [s.event_count for s in seals] == [2, 2, 1]
    assert seals[0].previous_hash == GENESIS
    for before, after in itertools.pairwise(seals):
        assert after.previous_hash == before.hash
    ring = key_ring()
    for seal in seals:
        digests = list(seal.entries.order_by("position").values_list("digest", flat=True))
        expected = seal_hash(ring, seal.key_id, seal.previous_hash, digests, seal.absent_ranges)
        assert seal.hash == expected
    result = audit_verify()
    assert result.ok
    assert result.sealed == 5


def test_second_seal_chains_to_the_first(sealed, world):
    _make_events(world, 2)
    assert audit_seal(now=_later()) == 2

    first, second = AuditSeal.objects.order_by("number")
    assert second.previous_hash == first.hash
    assert audit_verify().ok


# The management command


def test_command_verify_prints_ok(sealed):
    out = StringIO()

    call_command("audit", "verify", stdout=out)

    assert out.getvalue().strip() == "OK: 4 events sealed, 0 pending"


def test_command_verify_fails_naming_the_event(sealed):
    target = sealed[3]
    _by_hand("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["x", target.pk])

    with pytest.raises(CommandError, match=rf"event {target.pk} was changed"):
        call_command("audit", "verify", stdout=StringIO())


def test_command_seal_leaves_the_youngest_events(world):
    minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    for n in range(3):
        _signed_event(
            time=minute_ago,
            action="institution.update",
            object_type="institutions.institution",
            object_id=str(world.inst_a.pk),
            actor_name=f"job{n}",
        )
    _make_events(world, 1)
    out = StringIO()

    call_command("audit", "seal", stdout=out)

    assert out.getvalue().strip() == "sealed 3 events"
    result = audit_verify()
    assert result.ok
    assert (result.sealed, result.pending) == (3, 1)


# PostgreSQL refuses UPDATE and DELETE outright


@postgres_only
def test_postgres_trigger_refuses_update(sealed):
    target = sealed[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=target.pk).update(reason="x")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET reason = 'x' WHERE id = %s", [target.pk])

    target.refresh_from_db()
    assert target.reason == ""
    assert audit_verify().ok


@postgres_only
def test_postgres_trigger_refuses_delete(sealed):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=sealed[0].pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent")

    assert AuditEvent.objects.count() == 4
    assert audit_verify().ok


# Events written during a request carry its id and address


def test_event_carries_request_id_and_ip(client, world):
    client.force_login(world.hq_admin)

    response = client.post(
        f"/institutions/{world.inst_a.pk}/suspend/",
        {"reason": "گزارش بازرسی میدانی"},
        HTTP_X_REQUEST_ID="req-0123456789abcdef",
    )

    assert response.status_code == 302
    assert response["X-Request-ID"] == "req-0123456789abcdef"
    world.inst_a.refresh_from_db()
    assert world.inst_a.status == "suspended"
    event = AuditEvent.objects.get(action="institution.suspend")
    assert event.request_id == "req-0123456789abcdef"
    assert event.ip == "127.0.0.1"
    assert event.actor == world.hq_admin


def test_request_without_an_id_gets_one_that_the_event_shares(client, world):
    client.force_login(world.hq_admin)

    response = client.post(
        f"/institutions/{world.inst_a.pk}/suspend/",
        {"reason": "گزارش بازرسی میدانی"},
        HTTP_X_REQUEST_ID="bad id\n",
        REMOTE_ADDR="10.20.30.40",
    )

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    event = AuditEvent.objects.get(action="institution.suspend")
    assert (event.request_id, event.ip) == (request_id, "10.20.30.40")


def test_events_outside_requests_have_no_request_id(world):
    services.institution_update(actor=world.hq_admin, institution=world.inst_a, phone="021")

    event = AuditEvent.objects.get()
    assert (event.request_id, event.ip) == ("", None)
