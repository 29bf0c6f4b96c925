"""Pages: permissions per role and scope, the pipeline board, decisions through the UI."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from entezam.vetting import services
from entezam.vetting.models import Application
from entezam.vetting.selectors import pipeline_board
from tests.vetting.factories import ApplicationFactory, eligible_applicant

ROLES = ["hq_admin", "hq_analyst", "province_officer", "station_officer", "manager"]
# Which applications (by institution) each role sees.
VISIBLE = {
    "hq_admin": {"inst_a", "inst_a2", "inst_b"},
    "hq_analyst": {"inst_a", "inst_a2", "inst_b"},
    "province_officer": {"inst_a", "inst_a2"},
    "station_officer": {"inst_a"},
    "manager": {"inst_a"},
}


@pytest.fixture
def apps(world, guard_standard):
    return {
        name: ApplicationFactory(
            person=eligible_applicant(), institution=getattr(world, name), standard=guard_standard
        )
        for name in ("inst_a", "inst_a2", "inst_b")
    }


@pytest.mark.parametrize("role", ROLES)
def test_application_detail_scope(role, world, apps, client):
    client.force_login(getattr(world, role))
    for name, app in apps.items():
        response = client.get(reverse("vetting:application_detail", args=[app.pk]))
        assert response.status_code == (200 if name in VISIBLE[role] else 404), name


@pytest.mark.parametrize("role", ROLES)
def test_application_list_scope(role, world, apps, client):
    client.force_login(getattr(world, role))
    response = client.get(reverse("vetting:application_list"))
    assert response.status_code == 200
    shown = {a.institution_id for a in response.context["object_list"]}
    assert shown == {getattr(world, name).pk for name in VISIBLE[role]}


@pytest.mark.parametrize("user", ["operator", "trainer"])
def test_outsiders_get_no_pipeline(user, world, apps, client):
    client.force_login(getattr(world, user))
    assert client.get(reverse("vetting:pipeline")).status_code == 403
    assert client.get(reverse("vetting:application_list")).context["page_obj"].paginator.count == 0


def test_anonymous_is_sent_to_login(client, apps):
    response = client.get(reverse("vetting:pipeline"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_pipeline_foreign_institution_is_404(world, apps, client):
    client.force_login(world.manager)
    url = reverse("vetting:pipeline")
    assert client.get(f"{url}?institution={world.inst_a.pk}").status_code == 200
    assert client.get(f"{url}?institution={world.inst_b.pk}").status_code == 404
    client.force_login(world.province_officer)
    assert client.get(f"{url}?province={world.province_b.pk}").status_code == 404
    assert client.get(f"{url}?province={world.province_a.pk}").status_code == 200


def test_pipeline_counts_and_medians(world, guard_standard):
    now = timezone.now()
    for days in (1, 3, 10):
        ApplicationFactory(
            person=eligible_applicant(),
            institution=world.inst_a,
            standard=guard_standard,
            status="screening",
            status_changed_at=now - datetime.timedelta(days=days),
        )
    ApplicationFactory(
        person=eligible_applicant(),
        institution=world.inst_a,
        standard=guard_standard,
        status="interview",
        status_changed_at=now - datetime.timedelta(days=4),
    )
    ApplicationFactory(
        person=eligible_applicant(),
        institution=world.inst_b,
        standard=guard_standard,
        status="approved",
    )
    board = pipeline_board(user=world.hq_admin, institution=world.inst_a, now=now)
    stages = {s["status"]: s for s in board["stages"]}
    assert stages["screening"]["count"] == 3 and stages["screening"]["median_days"] == 3.0
    assert stages["interview"]["median_days"] == 4.0
    assert stages["approved"]["count"] == 0 and board["open_total"] == 4
    national = pipeline_board(user=world.hq_admin, now=now)
    assert national["total"] == 5
    assert national["institutions"][0]["name"] == world.inst_a.name
    by_province = pipeline_board(user=world.hq_admin, province=world.province_b, now=now)
    assert by_province["total"] == 1


def test_pipeline_page_renders_chart(world, apps, client):
    client.force_login(world.hq_admin)
    response = client.get(reverse("vetting:pipeline"))
    content = response.content.decode()
    assert 'data-chart="bar"' in content and "chart.umd.min.js" in content
    assert "<script>" not in content


def test_screen_button_and_decision_dialog(world, apps, client):
    client.force_login(world.province_officer)
    response = client.post(reverse("vetting:screen"), {"institution": world.inst_a.pk})
    assert response.status_code == 302
    app = Application.objects.get(pk=apps["inst_a"].pk)
    assert app.status == "interview"
    detail = client.get(app.get_absolute_url()).content.decode()
    assert reverse("vetting:application_action", args=[app.pk, "approve"]) in detail
    url = reverse("vetting:application_action", args=[app.pk, "reject"])
    modal = client.get(url, HTTP_HX_REQUEST="true")
    assert modal.status_code == 200 and "modal" in modal.content.decode()
    bad = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    done = client.post(url, {"reason": "سوابق کاری تأیید نشد"}, HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == app.get_absolute_url()
    app.refresh_from_db()
    assert app.status == "rejected"
    # The institution sees the reasons.
    client.force_login(world.manager)
    assert "سوابق کاری تأیید نشد" in client.get(app.get_absolute_url()).content.decode()


def test_manager_has_no_decision_actions(world, apps, client):
    services.applications_screen(actor=world.hq_admin)
    app = apps["inst_a"]
    client.force_login(world.manager)
    url = reverse("vetting:application_action", args=[app.pk, "approve"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "ok"}).status_code == 403
    assert client.post(reverse("vetting:screen")).status_code == 403
    withdraw = reverse("vetting:application_action", args=[app.pk, "withdraw"])
    assert client.get(withdraw).status_code == 200
    foreign = reverse("vetting:application_action", args=[apps["inst_b"].pk, "withdraw"])
    assert client.get(foreign).status_code == 404


def test_station_officer_records_check(world, apps, client):
    client.force_login(world.station_officer)
    app = apps["inst_a"]
    url = reverse("vetting:check_record", args=[app.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"result": "clear", "checked_on": "1404/01/15", "reference": ""})
    assert response.status_code == 302
    assert app.person.background_checks.filter(provider="manual").exists()
    assert client.get(reverse("vetting:check_record", args=[apps["inst_a2"].pk])).status_code == 404
    client.force_login(world.manager)
    assert client.get(url).status_code == 403


def test_check_import_page(world, client):
    client.force_login(world.hq_admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "results.csv", b"national_code,result,reference,checked_on\n123,clear,R,2025-01-01\n"
    )
    response = client.post(reverse("vetting:check_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["report"].errors[0].column == "national_code"
    client.force_login(world.manager)
    assert client.get(reverse("vetting:check_import")).status_code == 403


def test_standard_pages(world, guard_standard, client):
    client.force_login(world.manager)
    assert client.get(reverse("vetting:standard_list")).status_code == 200
    assert client.get(guard_standard.get_absolute_url()).status_code == 200
    assert client.get(reverse("vetting:standard_create")).status_code == 403
    client.force_login(world.hq_admin)
    form = {
        "code": "GUARD",
        "title": "نسخه دوم",
        "positions": ["guard", "supervisor"],
        "age_range_enabled": "on",
        "age_range_min": "22",
        "age_range_max": "45",
        "min_education_enabled": "on",
        "min_education_level": "diploma",
        "not_revoked_recently_enabled": "on",
        "not_revoked_recently_years": "5",
    }
    response = client.post(reverse("vetting:standard_create"), form)
    assert response.status_code == 302
    draft = guard_standard.__class__.objects.get(code="GUARD", version=2)
    assert {r.kind: r.params for r in draft.rules.all()}["age_range"] == {"min": 22, "max": 45}
    bad = client.post(
        reverse("vetting:standard_update", args=[draft.pk]), {**form, "age_range_min": "50"}
    )
    assert "age_range_max" in bad.context["form"].errors
    activate = reverse("vetting:standard_activate", args=[draft.pk])
    assert client.get(activate, HTTP_HX_REQUEST="true").status_code == 200
    assert client.post(activate).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "active"
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "GUARD v1" in page
    client.force_login(world.province_officer)
    assert (
        client.post(reverse("vetting:standard_activate", args=[guard_standard.pk])).status_code
        == 403
    )
