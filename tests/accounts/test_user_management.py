"""User management in the product: HQ administrators nationally, province officers within
their province (never HQ roles, never another province), audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from entezam.accounts import services
from entezam.accounts.models import RoleAssignment, User
from entezam.core.models import AuditEvent
from tests.accounts.factories import user_with_role


@pytest.mark.django_db
def test_province_officer_grants_a_station_role_in_their_province(world):
    user = services.user_create(
        actor=world.province_officer, username="new.station", password="Long-enough-1404"
    )
    services.role_assign(
        actor=world.province_officer, user=user, role="station_officer", police_unit=world.station_a
    )
    assert user.has_role("station_officer")
    event = AuditEvent.objects.get(
        action="role_assignment.grant", object_id=str(user.role_assignments.get().pk)
    )
    assert event.actor_id == world.province_officer.pk and event.role == "province_officer"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,scope",
    [
        ("station_officer", "station_b"),  # another province
        ("institution_manager", "inst_b"),
        ("hq_admin", None),  # an HQ role
        ("hq_analyst", None),
        ("province_officer", "province_a"),  # a peer of their own province
    ],
)
def test_province_officer_cannot_grant_outside_their_province_nor_hq_roles(world, role, scope):
    user = services.user_create(
        actor=world.province_officer, username="someone", password="Long-enough-1404"
    )
    field = {"station_b": "police_unit", "inst_b": "institution", "province_a": "province"}
    kwargs = {field[scope]: getattr(world, scope)} if scope else {}
    with pytest.raises(PermissionDenied):
        services.role_assign(actor=world.province_officer, user=user, role=role, **kwargs)
    assert not RoleAssignment.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_other_roles_cannot_create_users(world):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=world.station_officer, username="x1", password="Long-enough-1404"
        )


@pytest.mark.django_db
def test_province_officer_sees_only_users_of_their_province(client, world):
    client.force_login(world.province_officer)
    page = client.get("/accounts/users/").content.decode()
    assert "station" in page and "manager" in page
    foreign = user_with_role("station_officer", world.station_b, username="isfahan.station")
    assert "isfahan.station" not in client.get("/accounts/users/").content.decode()
    assert client.get(f"/accounts/users/{foreign.pk}/").status_code == 404
    assert client.get(f"/accounts/users/{world.hq_admin.pk}/").status_code == 404


@pytest.mark.django_db
def test_roles_without_user_management_get_403(client, world):
    client.force_login(world.manager)
    assert client.get("/accounts/users/").status_code == 403


@pytest.mark.django_db
def test_create_user_page_creates_and_grants_in_one_step(client, world):
    client.force_login(world.province_officer)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "mgr.new",
            "display_name": "مدیر تازه",
            "password": "Long-enough-1404",
            "role": "institution_manager",
            "institution": world.inst_a2.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="mgr.new")
    assert user.has_role("institution_manager") and user.check_password("Long-enough-1404")
    # A foreign institution is refused on the form, nothing is half-written.
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "mgr.foreign",
            "password": "Long-enough-1404",
            "role": "institution_manager",
            "institution": world.inst_b.pk,
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="mgr.foreign").exists()


@pytest.mark.django_db
def test_password_reset_and_unlock_are_audited_and_scoped(client, world):
    client.force_login(world.province_officer)
    url = f"/accounts/users/{world.station_officer.pk}/"
    client.post(url, {"do": "password", "password-password": "Brand-new-pw-1404"})
    world.station_officer.refresh_from_db()
    assert world.station_officer.check_password("Brand-new-pw-1404")
    client.post(url, {"do": "unlock"})
    actions = set(
        AuditEvent.objects.filter(actor_id=world.province_officer.pk).values_list(
            "action", flat=True
        )
    )
    assert {"user.password_reset", "user.unlock"} <= actions
    with pytest.raises(PermissionDenied):
        services.user_password_reset(
            actor=world.province_officer, user=world.hq_admin, password="Brand-new-pw-1404"
        )


@pytest.mark.django_db
def test_revoke_needs_a_reason_and_stays_in_the_province(client, world):
    client.force_login(world.province_officer)
    assignment = world.station_officer.role_assignments.get()
    url = f"/accounts/users/{world.station_officer.pk}/"
    client.post(url, {"do": "revoke", "assignment": assignment.pk, "revoke-reason": "x"})
    assignment.refresh_from_db()
    assert assignment.is_active
    client.post(
        url, {"do": "revoke", "assignment": assignment.pk, "revoke-reason": "انتقال به استان دیگر"}
    )
    assignment.refresh_from_db()
    assert not assignment.is_active


@pytest.mark.django_db
def test_user_page_shows_roles_and_recent_actions(client, world):
    from entezam.institutions.services import institution_update

    institution_update(actor=world.province_officer, institution=world.inst_a, phone="02112345678")
    client.force_login(world.hq_admin)
    page = client.get(f"/accounts/users/{world.province_officer.pk}/").content.decode()
    assert "افسر استان" in page
    assert world.inst_a.name in page
