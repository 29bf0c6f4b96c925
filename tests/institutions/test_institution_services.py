"""The institution registry services: create, update and the licence lifecycle."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from entezam.core.models import AuditEvent
from entezam.institutions import services
from entezam.institutions.models import Institution
from tests.institutions.factories import InstitutionFactory

REASON = "بازرسی دوره‌ای و بررسی مدارک"


def _today():
    return timezone.localdate()


def _new_institution(actor, province, unit, **extra):
    return services.institution_create(
        actor=actor,
        registration_number=extra.pop("registration_number", "70001"),
        name=extra.pop("name", "موسسه حفاظتی نوین"),
        province=province,
        supervising_unit=unit,
        managing_director="رضا احمدی",
        **extra,
    )


def _events(action, institution=None):
    events = AuditEvent.objects.filter(action=action)
    if institution is not None:
        events = events.filter(object_id=str(institution.pk))
    return events


def _error_codes(exc: ValidationError, field: str) -> list:
    return [error.code for error in exc.error_dict[field]]


# Create and update


def test_create_records_an_audit_event_with_actor_role_and_scope(world):
    institution = _new_institution(world.hq_admin, world.province_a, world.station_a)

    assert institution.status == "applicant"
    event = _events("institution.create", institution).get()
    assert event.actor == world.hq_admin
    assert event.role == "hq_admin"
    assert event.province_id == world.province_a.pk
    assert event.police_unit_id == world.station_a.pk
    assert event.institution_id == institution.pk
    assert event.changes["name"] == [None, "موسسه حفاظتی نوین"]


def test_province_officer_creates_inside_their_province(world):
    institution = _new_institution(world.province_officer, world.province_a, world.station_a)

    event = _events("institution.create", institution).get()
    assert event.actor == world.province_officer
    assert event.role == "province_officer"


def test_province_officer_cannot_create_in_another_province(world):
    with pytest.raises(PermissionDenied):
        _new_institution(world.province_officer, world.province_b, world.station_b)

    assert not Institution.objects.filter(registration_number="70001").exists()
    assert not _events("institution.create").exists()


@pytest.mark.parametrize("role_user", ["station_officer", "manager", "hq_analyst"])
def test_roles_without_add_cannot_create(world, role_user):
    with pytest.raises(PermissionDenied):
        _new_institution(getattr(world, role_user), world.province_a, world.station_a)

    assert not Institution.objects.filter(registration_number="70001").exists()


def test_supervising_unit_from_another_province_is_rejected(world):
    with pytest.raises(ValidationError) as caught:
        _new_institution(world.hq_admin, world.province_a, world.station_b)

    assert "supervising_unit" in caught.value.error_dict
    assert not Institution.objects.filter(registration_number="70001").exists()
    assert not _events("institution.create").exists()


def test_update_records_the_diff(world):
    old_name = world.inst_a.name

    services.institution_update(
        actor=world.hq_admin, institution=world.inst_a, name="موسسه حفاظتی امین نو", phone="02155"
    )

    world.inst_a.refresh_from_db()
    assert world.inst_a.name == "موسسه حفاظتی امین نو"
    event = _events("institution.update", world.inst_a).get()
    assert event.actor == world.hq_admin
    assert event.changes == {
        "name": [old_name, "موسسه حفاظتی امین نو"],
        "phone": ["", "02155"],
    }


def test_update_without_change_records_nothing(world):
    services.institution_update(
        actor=world.hq_admin, institution=world.inst_a, name=world.inst_a.name, phone=""
    )

    assert not _events("institution.update").exists()


def test_province_officer_cannot_move_an_institution_out_of_their_province(world):
    with pytest.raises(PermissionDenied):
        services.institution_update(
            actor=world.province_officer,
            institution=world.inst_a,
            province=world.province_b,
            supervising_unit=world.station_b,
        )

    world.inst_a.refresh_from_db()
    assert world.inst_a.province == world.province_a
    assert world.inst_a.supervising_unit == world.station_a
    assert not _events("institution.update").exists()


# The lifecycle


def _transition(actor, institution, action, reason=REASON, **licence):
    return services.institution_transition(
        actor=actor, institution=institution, action=action, reason=reason, **licence
    )


def test_full_lifecycle_through_every_transition(world):
    institution = _new_institution(world.hq_admin, world.province_a, world.station_a)
    expires = _today() + datetime.timedelta(days=365)

    steps = [
        ("develop", {}, "developing"),
        ("activate", {"licence_number": "1404-00077", "licence_expires_on": expires}, "active"),
        ("suspend", {}, "suspended"),
        ("reinstate", {}, "active"),
        ("revoke", {}, "revoked"),
    ]
    previous = "applicant"
    for action, licence, status in steps:
        institution = _transition(world.hq_admin, institution, action, **licence)
        institution.refresh_from_db()
        assert institution.status == status
        event = _events(f"institution.{action}", institution).get()
        assert event.reason == REASON
        assert event.role == "hq_admin"
        assert event.changes["status"] == [previous, status]
        previous = status

    assert institution.licence_number == "1404-00077"
    assert institution.licence_expires_on == expires
    activation = _events("institution.activate", institution).get()
    assert activation.changes["licence_number"] == [None, "1404-00077"]


@pytest.mark.parametrize("status", ["applicant", "developing", "active", "suspended"])
def test_close_from_every_open_status(world, status):
    institution = InstitutionFactory(supervising_unit=world.station_a, status=status)

    _transition(world.hq_admin, institution, "close")

    institution.refresh_from_db()
    assert institution.status == "closed"
    assert _events("institution.close", institution).get().changes["status"] == [status, "closed"]


def test_activate_needs_licence_number_and_expiry(world):
    institution = InstitutionFactory(
        supervising_unit=world.station_a,
        status="developing",
        licence_number=None,
        licence_issued_on=None,
        licence_expires_on=None,
    )

    with pytest.raises(ValidationError) as caught:
        _transition(world.hq_admin, institution, "activate")

    assert set(caught.value.error_dict) == {"licence_number", "licence_expires_on"}
    institution.refresh_from_db()
    assert institution.status == "developing"
    assert not _events("institution.activate").exists()


def test_activate_refuses_a_past_expiry(world):
    institution = InstitutionFactory(
        supervising_unit=world.station_a,
        status="developing",
        licence_number=None,
        licence_issued_on=None,
        licence_expires_on=None,
    )

    with pytest.raises(ValidationError) as caught:
        _transition(
            world.hq_admin,
            institution,
            "activate",
            licence_number="1404-00078",
            licence_expires_on=_today(),
        )

    assert set(caught.value.error_dict) == {"licence_expires_on"}
    institution.refresh_from_db()
    assert (institution.status, institution.licence_number) == ("developing", None)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("applicant", "activate"),
        ("active", "reinstate"),
        ("active", "develop"),
        ("developing", "suspend"),
        ("applicant", "revoke"),
        ("revoked", "reinstate"),
        ("closed", "close"),
    ],
)
def test_invalid_transition_is_refused_and_writes_nothing(world, status, action):
    institution = InstitutionFactory(supervising_unit=world.station_a, status=status)
    changed_at = institution.status_changed_at

    with pytest.raises(ValidationError) as caught:
        _transition(world.hq_admin, institution, action)

    assert _error_codes(caught.value, "status") == ["invalid_transition"]
    institution.refresh_from_db()
    assert institution.status == status
    assert institution.status_changed_at == changed_at
    assert not AuditEvent.objects.exists()


def test_unknown_action_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        _transition(world.hq_admin, world.inst_a, "delete")

    assert "action" in caught.value.error_dict


@pytest.mark.parametrize("reason", ["", "   ", "abc", " خیر "])
def test_reason_is_required(world, reason):
    with pytest.raises(ValidationError) as caught:
        _transition(world.hq_admin, world.inst_a, "suspend", reason=reason)

    assert _error_codes(caught.value, "reason") == ["reason_required"]
    world.inst_a.refresh_from_db()
    assert world.inst_a.status == "active"
    assert not AuditEvent.objects.exists()


# Who may take which step


def test_province_officer_suspends_and_reinstates_inside_their_province(world):
    _transition(world.province_officer, world.inst_a, "suspend")
    _transition(world.province_officer, world.inst_a, "reinstate")

    world.inst_a.refresh_from_db()
    assert world.inst_a.status == "active"
    for action in ("suspend", "reinstate"):
        event = _events(f"institution.{action}", world.inst_a).get()
        assert event.actor == world.province_officer
        assert event.role == "province_officer"
        assert event.province_id == world.province_a.pk


@pytest.mark.parametrize("action", ["revoke", "activate"])
def test_province_officer_cannot_activate_or_revoke(world, action):
    institution = world.inst_a
    if action == "activate":
        institution = InstitutionFactory(supervising_unit=world.station_a, status="developing")

    with pytest.raises(PermissionDenied):
        _transition(world.province_officer, institution, action)

    status = institution.status
    institution.refresh_from_db()
    assert institution.status == status
    assert not AuditEvent.objects.exists()


def test_province_officer_cannot_reach_a_foreign_institution(world):
    with pytest.raises(Http404):
        _transition(world.province_officer, world.inst_b, "suspend")

    world.inst_b.refresh_from_db()
    assert world.inst_b.status == "active"


@pytest.mark.parametrize("role_user", ["station_officer", "manager", "hq_analyst", "operator"])
def test_other_roles_cannot_transition(world, role_user):
    with pytest.raises((PermissionDenied, Http404)):
        _transition(getattr(world, role_user), world.inst_a, "suspend")

    world.inst_a.refresh_from_db()
    assert world.inst_a.status == "active"
    assert not AuditEvent.objects.exists()


# Licence expiry warning


@pytest.mark.parametrize(
    ("status", "days_left", "expiring"),
    [
        ("active", 30, True),
        ("active", 60, True),
        ("suspended", 10, True),
        ("active", 200, False),
        ("active", 61, False),
        ("closed", 30, False),
    ],
)
def test_licence_expiring_flag(world, status, days_left, expiring):
    institution = InstitutionFactory(
        supervising_unit=world.station_a,
        status=status,
        licence_expires_on=_today() + datetime.timedelta(days=days_left),
    )

    assert institution.licence_expiring is expiring
    assert institution.licence_days_left == days_left
