"""Permission matrix for police units, web and API, own scope against a foreign one."""

import pytest
from rest_framework.test import APIClient

from entezam.geo.models import PoliceUnit

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
# station_a (home), station_a2 (same province), station_b (other province)
VISIBLE = {
    "hq_admin": {"station_a", "station_a2", "station_b"},
    "hq_analyst": {"station_a", "station_a2", "station_b"},
    "province_officer": {"station_a", "station_a2"},
    "station_officer": {"station_a"},
    "manager": {"station_a"},  # the unit that supervises the manager's institution
    "operator": {"station_a", "station_a2", "station_b"},
    "trainer": set(),
}
CAN_WRITE = {"hq_admin", "province_officer"}


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["station_a", "station_a2", "station_b"])
def test_detail_web_and_api(world, client, role, key):
    user, unit = getattr(world, role), getattr(world, key)
    client.force_login(user)
    expected = 200 if key in VISIBLE[role] else 404
    assert client.get(f"/geo/units/{unit.pk}/").status_code == expected
    assert api(user).get(f"/api/v1/police-units/{unit.pk}/").status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_list_is_scoped(world, client, role):
    user = getattr(world, role)
    client.force_login(user)
    html = client.get("/geo/units/?kind=station").content.decode()
    for key in ("station_a", "station_a2", "station_b"):
        assert (getattr(world, key).name in html) == (key in VISIBLE[role])
    codes = {
        row["code"] for row in api(user).get("/api/v1/police-units/?kind=station").json()["results"]
    }
    assert codes == {getattr(world, k).code for k in VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["home", "foreign"])
def test_create_station(world, client, role, where):
    user = getattr(world, role)
    province = world.province_a if where == "home" else world.province_b
    parent = PoliceUnit.objects.get(code=f"P{province.code}")
    payload = {
        "code": "S-NEW",
        "name": "کلانتری ۱۹۹",
        "kind": "station",
        "province": province.code,
        "parent": parent.code,
    }
    response = api(user).post("/api/v1/police-units/", payload, format="json")
    created = PoliceUnit.objects.filter(code="S-NEW").exists()
    if role in CAN_WRITE and (where == "home" or role == "hq_admin"):
        assert response.status_code == 201, response.json()
        assert created
    else:
        assert not created
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", ["station_a", "station_b"])
def test_update_unit(world, client, role, key):
    user, unit = getattr(world, role), getattr(world, key)
    visible = key in VISIBLE[role]
    allowed = visible and role in CAN_WRITE
    client.force_login(user)
    assert client.get(f"/geo/units/{unit.pk}/edit/").status_code == (
        200 if allowed else 404 if not visible else 403
    )
    response = api(user).patch(
        f"/api/v1/police-units/{unit.pk}/", {"phone": "02188776655"}, format="json"
    )
    unit.refresh_from_db()
    assert response.status_code == (200 if allowed else 404 if not visible else 403)
    assert (unit.phone == "02188776655") == allowed


def test_provinces_are_reference_data_for_every_user(world):
    data = api(world.manager).get("/api/v1/provinces/").json()
    assert {row["code"] for row in data} >= {"23", "10"}
    assert APIClient().get("/api/v1/provinces/").status_code == 401
