"""Who may do what with police units: the shared suite (tests/permissions.py) over
station_a (home), station_a2 (same province) and station_b (another province); provinces
are reference data every user reads."""

import pytest

from entezam.geo.models import PoliceUnit
from tests.permissions import ROLES, CreateTests, DetailTests, ListTests, UpdateTests, api

pytestmark = pytest.mark.django_db

OFFICERS = frozenset({"hq_admin", "province_officer"})
PHONE = "02188776655"


class TestPoliceUnitPermissions(ListTests, DetailTests, CreateTests, UpdateTests):
    model = PoliceUnit
    keys = ("station_a", "station_a2", "station_b")
    foreign = "station_b"
    visible = {
        "hq_admin": {"station_a", "station_a2", "station_b"},
        "hq_analyst": {"station_a", "station_a2", "station_b"},
        "province_officer": {"station_a", "station_a2"},
        "station_officer": {"station_a"},
        "manager": {"station_a"},  # the unit that supervises the manager's institution
        "operator": {"station_a", "station_a2", "station_b"},
    }

    # The provincial commands above the stations are left out.
    list_query = "?kind=station"
    list_url = "/geo/units/"
    api_list_url = "/api/v1/police-units/"
    list_shows = "{obj.name}"
    detail_url = "/geo/units/{pk}/"
    api_detail_url = "/api/v1/police-units/{pk}/"
    detail_shows = "{obj.name}"

    create_url = "/geo/units/new/"
    api_create_url = "/api/v1/police-units/"
    create_roles = OFFICERS
    create_event = "police_unit.create"
    created = {"code": "S-NEW", "kind": "station"}
    # Another province is not among the form's choices; over the API the new unit would
    # fall outside the actor's scope, and the write is rolled back.
    # The API answers "no such parent" for a unit outside the area (its code is not told).
    create_outside = {"web": (200, "province"), "api": (400, "parent")}

    def create_form(self, world, near):
        return {
            "code": "S-NEW",
            "name": "کلانتری ۱۹۹",
            "kind": "station",
            "province": near.province.pk,
            "parent": near.parent.pk,
            "is_active": "on",
        }

    def create_payload(self, world, near):
        return {
            "code": "S-NEW",
            "name": "کلانتری ۱۹۹",
            "kind": "station",
            "province": near.province.code,
            "parent": near.parent.code,
        }

    update_url = "/geo/units/{pk}/edit/"
    api_update_url = "/api/v1/police-units/{pk}/"
    update_roles = OFFICERS
    update_event = "police_unit.update"
    update_changes = {"phone": PHONE}
    api_update = {"phone": PHONE}

    def update_form(self, world, obj):
        return {
            "code": obj.code,
            "name": obj.name,
            "name_en": obj.name_en,
            "kind": obj.kind,
            "parent": obj.parent.pk,
            "province": obj.province.pk,
            "phone": PHONE,
            "is_active": "on",
        }


@pytest.mark.parametrize("role", ROLES)
def test_provinces_are_reference_data_for_every_user(world, role):
    data = api(getattr(world, role)).get("/api/v1/provinces/").json()
    assert {row["code"] for row in data} >= {"23", "10"}


def test_provinces_are_not_served_to_anonymous(db):
    assert api().get("/api/v1/provinces/").status_code == 401


def test_the_api_does_not_tell_whether_a_foreign_unit_code_exists(world):
    client = api(world.province_officer)
    payload = {"code": "T-001", "name": "پاسگاه آزمایشی", "kind": "post"}
    foreign = client.post("/api/v1/police-units/", {**payload, "parent": world.station_b.code})
    unknown = client.post("/api/v1/police-units/", {**payload, "parent": "NO-SUCH-CODE"})
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json() == unknown.json()
