"""Permission matrix for institutions: each role against its own scope and a foreign one,
on the web pages and the API, for list, detail, create, update and every lifecycle action."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from entezam.core.models import AuditEvent
from entezam.institutions.models import Institution

pytestmark = pytest.mark.django_db

ROLES = [
    "hq_admin",
    "hq_analyst",
    "province_officer",
    "station_officer",
    "manager",
    "operator",
    "trainer",
]

# Which of inst_a (home), inst_a2 (same province, other station), inst_b (other province)
# each role sees.
VISIBLE = {
    "hq_admin": {"inst_a", "inst_a2", "inst_b"},
    "hq_analyst": {"inst_a", "inst_a2", "inst_b"},
    "province_officer": {"inst_a", "inst_a2"},
    "station_officer": {"inst_a"},
    "manager": {"inst_a"},
    "operator": {"inst_a", "inst_a2", "inst_b"},
    "trainer": set(),
}
CAN_CHANGE = {"hq_admin", "province_officer"}
CAN_CREATE = {"hq_admin", "province_officer"}
# action -> roles allowed (inside their scope)
LIFECYCLE = {
    "develop": {"hq_admin", "province_officer"},
    "activate": {"hq_admin"},
    "suspend": {"hq_admin", "province_officer"},
    "reinstate": {"hq_admin", "province_officer"},
    "revoke": {"hq_admin"},
    "close": {"hq_admin", "province_officer"},
}
START_STATUS = {
    "develop": "applicant",
    "activate": "developing",
    "suspend": "active",
    "reinstate": "suspended",
    "revoke": "active",
    "close": "active",
}
END_STATUS = {
    "develop": "developing",
    "activate": "active",
    "suspend": "suspended",
    "reinstate": "active",
    "revoke": "revoked",
    "close": "closed",
}


def web(user, client):
    client.force_login(user)
    return client


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_scope(world, client, role):
    user = getattr(world, role)
    html = web(user, client).get("/institutions/").content.decode()
    for key in ("inst_a", "inst_a2", "inst_b"):
        assert (getattr(world, key).name in html) == (key in VISIBLE[role]), key
    data = api(user).get("/api/v1/institutions/").json()
    assert {row["name"] for row in data["results"]} == {
        getattr(world, k).name for k in VISIBLE[role]
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["inst_a", "inst_a2", "inst_b"])
def test_detail_is_404_outside_scope(world, client, role, key):
    user, inst = getattr(world, role), getattr(world, key)
    expected = 200 if key in VISIBLE[role] else 404
    response = web(user, client).get(f"/institutions/{inst.pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert inst.name in response.content.decode()
    assert api(user).get(f"/api/v1/institutions/{inst.pk}/").status_code == expected


def form_data(world, unit, **overrides):
    data = {
        "registration_number": "77001",
        "name": "موسسه حفاظتی نگهبانان پارس",
        "kind": "guarding",
        "province": unit.province.pk,
        "supervising_unit": unit.pk,
        "managing_director": "مریم احمدی",
        "authorised_headcount": "40",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["home", "foreign"])
def test_create_web(world, client, role, where):
    user = getattr(world, role)
    unit = world.station_a if where == "home" else world.station_b
    before_events = AuditEvent.objects.count()
    response = web(user, client).post("/institutions/new/", form_data(world, unit))
    created = Institution.objects.filter(registration_number="77001").first()
    allowed = role in CAN_CREATE and (where == "home" or role == "hq_admin")
    if allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert created is not None and created.status == "applicant"
        assert AuditEvent.objects.filter(
            action="institution.create", object_id=str(created.pk)
        ).exists()
    else:
        assert created is None
        assert AuditEvent.objects.count() == before_events
        if role not in CAN_CREATE:
            assert response.status_code == 403
        else:
            # The foreign unit is not among the choices offered: a form error, nothing written.
            assert response.status_code == 200
            assert "supervising_unit" in response.context["form"].errors


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["home", "foreign"])
def test_create_api(world, role, where):
    user = getattr(world, role)
    unit = world.station_a if where == "home" else world.station_b
    payload = {
        "registration_number": "77002",
        "name": "موسسه ایمن گستر",
        "kind": "guarding",
        "province": unit.province.code,
        "supervising_unit": unit.code,
        "managing_director": "مریم احمدی",
        "authorised_headcount": 40,
    }
    response = api(user).post("/api/v1/institutions/", payload, format="json")
    created = Institution.objects.filter(registration_number="77002").exists()
    allowed = role in CAN_CREATE and (where == "home" or role == "hq_admin")
    if allowed:
        assert response.status_code == 201, response.json()
        assert response.json()["status"] == "applicant"
        assert created
    else:
        assert not created
        assert response.status_code in ((403,) if role not in CAN_CREATE else (400,))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["inst_a", "inst_b"])
def test_update_web_and_api(world, client, role, key):
    user, inst = getattr(world, role), getattr(world, key)
    visible = key in VISIBLE[role]
    allowed = visible and role in CAN_CHANGE
    get = web(user, client).get(f"/institutions/{inst.pk}/edit/")
    assert get.status_code == (200 if allowed else 404 if not visible else 403)
    data = form_data(
        world,
        inst.supervising_unit,
        registration_number=inst.registration_number,
        name="نام تازه موسسه",
        licence_number=inst.licence_number,
        licence_issued_on="1404/01/15",
        licence_expires_on="1407/01/15",
    )
    post = web(user, client).post(f"/institutions/{inst.pk}/edit/", data)
    inst.refresh_from_db()
    if allowed:
        assert post.status_code == 302, post.context["form"].errors if post.context else post
        assert inst.name == "نام تازه موسسه"
    else:
        assert post.status_code == (404 if not visible else 403)
        assert inst.name != "نام تازه موسسه"
    response = api(user).patch(
        f"/api/v1/institutions/{inst.pk}/", {"authorised_headcount": 99}, format="json"
    )
    inst.refresh_from_db()
    if allowed:
        assert response.status_code == 200
        assert inst.authorised_headcount == 99
    else:
        assert response.status_code == (404 if not visible else 403)
        assert inst.authorised_headcount != 99


def _prepare(inst, action):
    Institution.objects.filter(pk=inst.pk).update(status=START_STATUS[action])


@pytest.mark.parametrize("action", list(LIFECYCLE))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["inst_a", "inst_b"])
def test_lifecycle_web(world, client, action, role, key):
    user, inst = getattr(world, role), getattr(world, key)
    _prepare(inst, action)
    visible = key in VISIBLE[role]
    allowed = visible and role in LIFECYCLE[action]
    data = {"reason": "بر اساس گزارش بازرسی مورخ ۱۴۰۵/۰۸/۰۱"}
    if action == "activate":
        data.update(licence_number="L-NEW-1", licence_expires_on="1410/01/01")
    response = web(user, client).post(f"/institutions/{inst.pk}/{action}/", data)
    inst.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert inst.status == END_STATUS[action]
        event = AuditEvent.objects.get(action=f"institution.{action}", object_id=str(inst.pk))
        assert event.actor == user
        assert event.reason == data["reason"]
        assert event.role == {"manager": "institution_manager", "operator": "center_operator"}.get(
            role, role
        )
    else:
        assert response.status_code == (404 if not visible else 403)
        assert inst.status == START_STATUS[action]
        assert not AuditEvent.objects.filter(action=f"institution.{action}").exists()


@pytest.mark.parametrize("action", list(LIFECYCLE))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["inst_a", "inst_b"])
def test_lifecycle_api(world, action, role, key):
    user, inst = getattr(world, role), getattr(world, key)
    _prepare(inst, action)
    visible = key in VISIBLE[role]
    allowed = visible and role in LIFECYCLE[action]
    payload = {"action": action, "reason": "بر اساس گزارش بازرسی"}
    if action == "activate":
        payload.update(
            licence_number="L-NEW-2",
            licence_expires_on=(timezone.localdate() + datetime.timedelta(days=700)).isoformat(),
        )
    response = api(user).post(f"/api/v1/institutions/{inst.pk}/transition/", payload, format="json")
    inst.refresh_from_db()
    if allowed:
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == END_STATUS[action]
    else:
        assert response.status_code == (404 if not visible else 403)
        assert inst.status == START_STATUS[action]


def test_manager_of_a_gets_404_for_everything_of_b(world, client):
    web(world.manager, client)
    b = world.inst_b
    for url in (
        f"/institutions/{b.pk}/",
        f"/institutions/{b.pk}/edit/",
        f"/institutions/{b.pk}/suspend/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (f"/institutions/{b.pk}/edit/", f"/institutions/{b.pk}/suspend/"):
        assert client.post(url, {"reason": "xxxxxxxx"}).status_code == 404, url
    c = api(world.manager)
    assert c.get(f"/api/v1/institutions/{b.pk}/").status_code == 404
    assert c.patch(f"/api/v1/institutions/{b.pk}/", {"name": "x"}, format="json").status_code == 404
    assert (
        c.post(
            f"/api/v1/institutions/{b.pk}/transition/",
            {"action": "suspend", "reason": "xxxxxx"},
            format="json",
        ).status_code
        == 404
    )
    assert c.get(f"/api/v1/police-units/{world.station_b.pk}/").status_code == 404
    # Audit trail of B is not readable either.
    html = client.get("/audit/").content.decode()
    assert b.name not in html


def test_moving_an_institution_out_of_scope_is_rolled_back(world):
    """A province officer cannot hand an institution over to another province's unit."""
    c = api(world.province_officer)
    response = c.patch(
        f"/api/v1/institutions/{world.inst_a.pk}/",
        {"province": world.province_b.code, "supervising_unit": world.station_b.code},
        format="json",
    )
    assert response.status_code == 400
    world.inst_a.refresh_from_db()
    assert world.inst_a.province == world.province_a
