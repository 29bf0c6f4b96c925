"""Who may do what with institutions: the shared suite (tests/permissions.py) over inst_a
(home), inst_a2 (same province, another station) and inst_b (another province)."""

import datetime

import pytest
from django.utils import timezone

from entezam.institutions.models import Institution
from tests.permissions import (
    Action,
    ActionTests,
    CreateTests,
    DetailTests,
    ListTests,
    UpdateTests,
    api,
)

pytestmark = pytest.mark.django_db

OFFICERS = frozenset({"hq_admin", "province_officer"})
HQ = frozenset({"hq_admin"})
REASON = "بر اساس گزارش بازرسی مورخ ۱۴۰۵/۰۸/۰۱"
# action -> (roles, status before, status after)
LIFECYCLE = {
    "develop": (OFFICERS, "applicant", "developing"),
    "activate": (HQ, "developing", "active"),
    "suspend": (OFFICERS, "active", "suspended"),
    "reinstate": (OFFICERS, "suspended", "active"),
    "revoke": (HQ, "active", "revoked"),
    "close": (OFFICERS, "active", "closed"),
}
# Activation issues the licence.
LICENCE_FORM = {"licence_number": "L-NEW-1", "licence_expires_on": "1410/01/01"}
LICENCE_PAYLOAD = {
    "licence_number": "L-NEW-2",
    "licence_expires_on": (timezone.localdate() + datetime.timedelta(days=700)).isoformat(),
}


def institution_form(unit, **overrides) -> dict:
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


class TestInstitutionPermissions(ListTests, DetailTests, CreateTests, UpdateTests, ActionTests):
    model = Institution
    keys = ("inst_a", "inst_a2", "inst_b")
    foreign = "inst_b"
    visible = {
        "hq_admin": {"inst_a", "inst_a2", "inst_b"},
        "hq_analyst": {"inst_a", "inst_a2", "inst_b"},
        "province_officer": {"inst_a", "inst_a2"},
        "station_officer": {"inst_a"},
        "manager": {"inst_a"},
        "operator": {"inst_a", "inst_a2", "inst_b"},
    }

    list_url = "/institutions/"
    api_list_url = "/api/v1/institutions/"
    list_shows = "{obj.name}"
    detail_url = "/institutions/{pk}/"
    api_detail_url = "/api/v1/institutions/{pk}/"
    detail_shows = "{obj.name}"

    create_url = "/institutions/new/"
    api_create_url = "/api/v1/institutions/"
    create_roles = OFFICERS
    create_event = "institution.create"
    created = {"status": "applicant"}
    # A unit outside the scope is not among the choices offered (the form), or "does not
    # exist" (the API).
    create_outside = {"web": (200, "supervising_unit"), "api": (400, "supervising_unit")}

    def create_form(self, world, near):
        return institution_form(near.supervising_unit)

    def create_payload(self, world, near):
        return {
            "registration_number": "77002",
            "name": "موسسه ایمن گستر",
            "kind": "guarding",
            "province": near.province.code,
            "supervising_unit": near.supervising_unit.code,
            "managing_director": "مریم احمدی",
            "authorised_headcount": 40,
        }

    update_url = "/institutions/{pk}/edit/"
    api_update_url = "/api/v1/institutions/{pk}/"
    update_roles = OFFICERS
    update_event = "institution.update"
    update_changes = {"name": "نام تازه موسسه"}
    api_update = {"authorised_headcount": 99}

    def update_form(self, world, obj):
        return institution_form(
            obj.supervising_unit,
            registration_number=obj.registration_number,
            name="نام تازه موسسه",
            licence_number=obj.licence_number,
            licence_issued_on="1404/01/15",
            licence_expires_on="1407/01/15",
        )

    actions = {
        action: Action(
            roles=roles,
            event=f"institution.{action}",
            web=f"/institutions/{{pk}}/{action}/",
            form={"reason": REASON, **(LICENCE_FORM if action == "activate" else {})},
            api="/api/v1/institutions/{pk}/transition/",
            payload={
                "action": action,
                "reason": "بر اساس گزارش بازرسی",
                **(LICENCE_PAYLOAD if action == "activate" else {}),
            },
            before={"status": before},
            after={"status": after},
        )
        for action, (roles, before, after) in LIFECYCLE.items()
    }


def test_moving_an_institution_out_of_scope_is_rolled_back(world):
    """A province officer cannot hand an institution over to another province's unit."""
    response = api(world.province_officer).patch(
        f"/api/v1/institutions/{world.inst_a.pk}/",
        {"province": world.province_b.code, "supervising_unit": world.station_b.code},
        format="json",
    )
    assert response.status_code == 400
    world.inst_a.refresh_from_db()
    assert world.inst_a.province == world.province_a
