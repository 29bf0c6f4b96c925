"""The guideline API: scoped lists, the submit/approve/issue actions (the two-person rule
also here), acknowledgement fields and filters, the foreign scope."""

import datetime

import pytest

from entezam.guidelines import services
from tests.guidelines.conftest import draft
from tests.permissions import api
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db


def test_submit_approve_issue_through_the_api(world, hq2):
    version = draft(world)
    author = api(world.hq_admin)
    assert author.post(f"/api/v1/guideline-versions/{version.pk}/submit/").status_code == 200
    response = author.post(f"/api/v1/guideline-versions/{version.pk}/approve/")
    assert response.status_code == 400
    version.refresh_from_db()
    assert version.status == "in_review"
    assert api(hq2).post(f"/api/v1/guideline-versions/{version.pk}/approve/").status_code == 200
    response = author.post(
        f"/api/v1/guideline-versions/{version.pk}/issue/", {"issued_on": "2025-09-22"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["issued_on"] == "2025-09-22" and body["deadline"] == "2025-11-21"
    assert body["deadline_jalali"] == "1404/08/30"
    # A manager cannot issue; a bad date is a 400 naming the field.
    assert (
        api(world.manager).post(f"/api/v1/guideline-versions/{version.pk}/issue/").status_code
        == 403
    )
    assert (
        author.post(
            f"/api/v1/guideline-versions/{version.pk}/issue/", {"issued_on": "not a date"}
        ).status_code
        == 400
    )


def test_acknowledgements_are_scoped_and_filtered(world, issuance):
    EmploymentFactory(institution=world.inst_a)
    staff = EmploymentFactory(institution=world.inst_a)
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    services.briefing_record(
        actor=world.manager, ack=ack, held_on=datetime.date.today(), person_ids=[staff.person_id]
    )
    rows = api(world.manager).get("/api/v1/acknowledgements/").json()["results"]
    assert [r["institution"] for r in rows] == [world.inst_a.pk]
    assert rows[0]["briefed"] == 1 and rows[0]["staff"] == 2
    assert rows[0]["status"] == "pending" and rows[0]["deadline_jalali"]
    officer = api(world.province_officer)
    assert len(officer.get("/api/v1/acknowledgements/").json()["results"]) == 2
    filtered = officer.get(f"/api/v1/acknowledgements/?institution={world.inst_b.pk}").json()
    assert filtered["results"] == []
    foreign = issuance.acknowledgements.get(institution=world.inst_b)
    assert officer.get(f"/api/v1/acknowledgements/{foreign.pk}/").status_code == 404
    assert (
        api(world.hq_admin)
        .get(f"/api/v1/acknowledgements/?status=pending&issuance={issuance.pk}")
        .json()["count"]
        == 3
    )
    assert api(world.trainer).get("/api/v1/issuances/").json()["results"] == []
    assert api().get("/api/v1/issuances/").status_code == 401


def test_issuances_and_guidelines_list(world, issuance):
    body = api(world.manager).get("/api/v1/issuances/").json()["results"]
    assert body[0]["number"] == issuance.number
    assert api(world.manager).get("/api/v1/guidelines/").json()["results"][0]["code"] == "COOP"
    assert api(world.hq_admin).post("/api/v1/guidelines/", {}).status_code == 405
