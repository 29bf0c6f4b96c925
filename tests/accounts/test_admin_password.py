"""Setting someone's password in the Django admin leaves a trace (issue 8, section 5)."""

import pytest

from entezam.core.models import AuditEvent

NEW_PASSWORD = "Another-Secret-1405"


def _password_page(user) -> str:
    return f"/admin/accounts/user/{user.pk}/password/"


@pytest.mark.django_db
def test_an_admin_setting_a_password_is_audited_without_the_password(client, world):
    client.force_login(world.hq_admin)
    target = world.manager
    response = client.post(
        _password_page(target),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.password_set")
    assert event.actor_id == world.hq_admin.pk
    assert event.object_id == str(target.pk)
    assert NEW_PASSWORD not in str(event.changes)
    assert target.password not in str(event.changes)


@pytest.mark.django_db
def test_a_non_admin_cannot_reach_the_password_page(client, world):
    client.force_login(world.province_officer)
    response = client.post(
        _password_page(world.manager),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code in (302, 403, 404)
    world.manager.refresh_from_db()
    assert not world.manager.check_password(NEW_PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_set").exists()
