"""API: filters shared with the UI, and the actions (who may reach them:
tests/vetting/test_permissions.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.permissions import api
from tests.personnel.factories import EmploymentFactory
from tests.vetting.factories import GUARD_RULES


def test_filters_and_jalali_fields(world, apps):
    client = api(world.hq_admin)
    person = apps["inst_b"].person
    rows = client.get(
        "/api/v1/applications/", {"q": person.last_name, "status": "submitted"}
    ).json()
    assert apps["inst_b"].pk in [r["id"] for r in rows["results"]]
    detail = client.get(f"/api/v1/applications/{apps['inst_a'].pk}/").json()
    assert detail["submitted_at_jalali"].startswith("14")


def test_screen_advance_decide_withdraw(world, apps):
    officer = api(world.province_officer)
    response = officer.post(
        "/api/v1/applications/screen/", {"institution": world.inst_a.registration_number}
    )
    assert response.status_code == 200
    assert response.json()["totals"]["interview"] == 1
    app = apps["inst_a"]
    detail = officer.get(f"/api/v1/applications/{app.pk}/").json()
    assert detail["status"] == "interview" and len(detail["rule_results"]) == 7
    bad = officer.post(f"/api/v1/applications/{app.pk}/decide/", {"approve": False, "reason": ""})
    assert bad.status_code == 400 and "reason" in bad.json()
    ok = officer.post(f"/api/v1/applications/{app.pk}/decide/", {"approve": True})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    # An approved application can no longer be withdrawn.
    manager = api(world.manager)
    assert (
        manager.post(f"/api/v1/applications/{app.pk}/withdraw/", {"reason": "انصراف"}).status_code
        == 400
    )
    second = apps["inst_a2"]
    adv = officer.post(f"/api/v1/applications/{second.pk}/advance/", {"to_status": "interview"})
    assert adv.status_code == 400


def test_open_application(world, guard_standard):
    person = EmploymentFactory(institution=world.inst_a).person
    response = api(world.manager).post(
        "/api/v1/applications/",
        {"person": person.pk, "institution": world.inst_a.registration_number, "position": "guard"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["standard"] == "GUARD v1"


def test_standards_api(world, guard_standard):
    payload = {
        "code": "GUARD",
        "title": "نسخه دوم",
        "positions": ["guard", "supervisor"],
        "rules": [{"kind": k, "params": v} for k, v in GUARD_RULES.items()],
    }
    hq = api(world.hq_admin)
    created = hq.post("/api/v1/standards/", payload, format="json")
    assert created.status_code == 201, created.json()
    draft_id = created.json()["id"]
    assert created.json()["version"] == 2 and created.json()["status"] == "draft"
    patched = hq.patch(f"/api/v1/standards/{draft_id}/", {"title": "نسخه ۲"}, format="json")
    assert patched.status_code == 200 and patched.json()["title"] == "نسخه ۲"
    bad = hq.patch(
        f"/api/v1/standards/{draft_id}/",
        {"rules": [{"kind": "age_range", "params": {"min": 60, "max": 20}}]},
        format="json",
    )
    assert bad.status_code == 400 and "age_range_max" in bad.json()
    activated = hq.post(f"/api/v1/standards/{draft_id}/activate/")
    assert activated.status_code == 200 and activated.json()["status"] == "active"
    assert activated.json()["effective_date_jalali"]


def test_background_checks_import_api(world):
    person = EmploymentFactory(institution=world.inst_a).person
    today = timezone.localdate().isoformat()
    content = f"national_code,result,reference,checked_on\n{person.national_code},پاک,X-1,{today}\n1,clear,X-2,{today}\n"
    upload = SimpleUploadedFile("r.csv", content.encode())
    imported = api(world.province_officer).post(
        "/api/v1/background-checks/import/", {"file": upload}, format="multipart"
    )
    assert imported.status_code == 200
    body = imported.json()
    assert body["created"] == 1 and body["rejected"] == 1 and body["job"]
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["message_fa"]
