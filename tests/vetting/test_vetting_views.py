"""Pages: the pipeline board, decisions through the UI, standards (who may reach them:
tests/vetting/test_permissions.py)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from entezam.vetting.models import Application
from entezam.vetting.selectors import pipeline_board
from tests.vetting.factories import ApplicationFactory, eligible_applicant


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


def test_check_import_page(world, client):
    client.force_login(world.hq_admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "results.csv", b"national_code,result,reference,checked_on\n123,clear,R,2025-01-01\n"
    )
    response = client.post(reverse("vetting:check_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["report"].errors[0].column == "national_code"


def test_standard_pages(world, guard_standard, client):
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
    # Only HQ activates, a retired version no more than a draft.
    client.force_login(world.province_officer)
    activate_v1 = reverse("vetting:standard_activate", args=[guard_standard.pk])
    assert client.post(activate_v1).status_code == 403


def test_bulk_screening_asks_first_naming_the_count_and_scope(world, apps, client):
    from entezam.core.persian import to_persian_digits

    open_total = Application.objects.filter(
        status__in=["submitted", "screening", "background_check", "interview"]
    ).count()
    client.force_login(world.hq_admin)
    content = client.get(reverse("vetting:pipeline"), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "data-confirm=" in content
    assert f"همه {to_persian_digits(str(open_total))} پرونده باز" in content
    assert "سراسر کشور" in content
