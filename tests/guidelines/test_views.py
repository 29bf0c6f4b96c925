"""The guideline pages as each role sees them: HQ drafts, a second administrator approves
and issues, a manager acknowledges with evidence and records a briefing, the compliance
page counts it; every page answers 404 outside the reader's scope."""

import datetime

import pytest
from django.urls import reverse

from entezam.core.persian import format_jalali
from entezam.guidelines import services
from entezam.guidelines.models import Acknowledgement, Clause, Version
from tests.accounts.factories import user_with_role
from tests.guidelines.conftest import draft
from tests.permissions import web
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db


def test_hq_drafts_second_admin_approves_and_issues(client, world, hq2):
    web(client, world.hq_admin)
    response = client.post(
        reverse("guidelines:guideline_create"),
        {"code": "COOP-1404", "title": "شیوه‌نامه همکاری", "kind": "cooperation"},
    )
    version = Version.objects.get(guideline__code="COOP-1404")
    assert response.status_code == 302 and response.url == version.get_absolute_url()
    client.post(
        reverse("guidelines:clause_add", args=[version.pk]),
        {
            "number": "1",
            "body": "هر موسسه برای هر کلانتری یک رابط معرفی می‌کند.",
            "requires_evidence": "on",
            "evidence_label": "نام رابط",
        },
    )
    # A bad clause number is a clear error, not a 500.
    response = client.post(
        reverse("guidelines:clause_add", args=[version.pk]), {"number": "x", "body": "متن"}
    )
    assert response.status_code == 400
    client.post(reverse("guidelines:version_action", args=[version.pk, "submit"]))
    # The author sees no approve button and cannot approve by posting.
    page = client.get(version.get_absolute_url()).content.decode()
    assert 'id="approve"' not in page
    client.post(reverse("guidelines:version_action", args=[version.pk, "approve"]))
    version.refresh_from_db()
    assert version.status == "in_review"
    web(client, hq2)
    assert 'id="approve"' in client.get(version.get_absolute_url()).content.decode()
    client.post(reverse("guidelines:version_action", args=[version.pk, "approve"]))
    response = client.post(
        reverse("guidelines:version_action", args=[version.pk, "issue"]),
        {"issued_on": "1404/06/31"},
    )
    version.refresh_from_db()
    assert version.status == "issued"
    assert version.issuance.deadline == datetime.date(2025, 11, 21)  # 1404/08/30
    assert response.url == version.issuance.get_absolute_url()


def test_manager_acknowledges_with_evidence_and_briefs(client, world, issuance):
    staff = [EmploymentFactory(institution=world.inst_a) for _ in range(2)]
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    web(client, world.manager)
    page = client.get(reverse("guidelines:pending")).content.decode()
    assert format_jalali(ack.deadline, "long") in page
    liaison = Clause.objects.get(version=issuance.version, number="2.1")
    url = reverse("guidelines:ack_action", args=[ack.pk, "acknowledge"])
    response = client.post(url, {}, follow=True)
    assert "نام رابط" in response.content.decode()
    ack.refresh_from_db()
    assert ack.status == "pending"
    client.post(url, {f"evidence_{liaison.pk}": "سروان رضایی"})
    ack.refresh_from_db()
    assert ack.status == "acknowledged"
    client.post(
        reverse("guidelines:ack_action", args=[ack.pk, "brief"]),
        {"held_on": format_jalali(datetime.date.today()), "attendees": [staff[0].person_id]},
    )
    page = client.get(ack.get_absolute_url()).content.decode()
    assert "۱ از ۲" in page
    web(client, world.hq_admin)
    page = client.get(issuance.get_absolute_url()).content.decode()
    # The chart: Isfahan none of one, Tehran one of two acknowledged.
    assert 'data-labels="اصفهان|تهران"' in page and 'data-values="0|50"' in page


def test_foreign_pages_are_404(client, world, issuance):
    foreign = issuance.acknowledgements.get(institution=world.inst_b)
    for user in (world.manager, world.province_officer, world.station_officer):
        web(client, user)
        assert client.get(foreign.get_absolute_url()).status_code == 404
        assert (
            client.post(
                reverse("guidelines:ack_action", args=[foreign.pk, "acknowledge"])
            ).status_code
            == 404
        )
    web(client, world.manager)
    assert client.get(reverse("guidelines:pending")).status_code == 200
    # The manager sees HQ's guideline but not another institution's procedure.
    manager_b = user_with_role("institution_manager", world.inst_b, username="mb")
    procedure = services.guideline_create(
        actor=manager_b,
        code="PROC-B",
        title="روش گزینش",
        kind="selection",
        owner_institution=world.inst_b,
    )
    assert client.get(procedure.get_absolute_url()).status_code == 404
    assert client.get(issuance.version.guideline.get_absolute_url()).status_code == 200
    # Operators and trainers read no guidelines.
    for user in (world.operator, world.trainer):
        web(client, user)
        assert client.get(issuance.get_absolute_url()).status_code == 404
        assert client.get(reverse("guidelines:guideline_list")).status_code == 403


def test_compliance_counts_only_the_readers_scope(client, world, issuance):
    web(client, world.province_officer)
    page = client.get(issuance.get_absolute_url()).content.decode()
    assert "تهران" in page and "اصفهان" not in page
    response = client.get(reverse("guidelines:issuance_export", args=[issuance.pk]))
    assert response.status_code == 200
    from python_calamine import CalamineWorkbook

    rows = (
        CalamineWorkbook.from_filelike(
            __import__("io").BytesIO(b"".join(response.streaming_content))
        )
        .get_sheet_by_index(0)
        .to_python()
    )
    assert len(rows) == 1 + 2  # header, the two institutions of province A


def test_diff_shows_word_level_changes(client, world, hq2, issuance):
    version = services.version_start(actor=world.hq_admin, guideline=issuance.version.guideline)
    clause = version.clauses.get(number="2.2")
    services.clause_save(
        actor=world.hq_admin,
        version=version,
        clause=clause,
        number="2.2",
        title=clause.title,
        body="موسسه رخدادها را فوری به کلانتری گزارش می‌دهد.",
    )
    web(client, world.hq_admin)
    url = reverse("guidelines:version_diff", args=[version.pk])
    page = client.get(url + f"?against={issuance.version.pk}&mode=redline").content.decode()
    assert '<ins class="diff-added">فوری ' in page
    assert '<del class="diff-removed">در همان روز ' in page
    # ZWNJ keeps «می‌دهد» one word: it is not split into «می» and «دهد».
    assert "می‌دهد" in page and 'data-status="changed"' in page
    side = client.get(url + f"?against={issuance.version.pk}").content.decode()
    assert side.count('data-status="same"') == 3


def test_public_check(client, world, issuance):
    year, serial = issuance.number.split("/")
    response = client.get(f"/g/{year}/{serial}")
    assert response.status_code == 200
    page = response.content.decode()
    assert issuance.content_hash in page and "شیوه‌نامه همکاری" in page
    assert client.get(f"/g/{year}/9999").status_code == 404
    assert client.get("/g/1404/'%20or%201=1").status_code == 404


def test_emergency_issue_shows_review_pending(client, world, hq2):
    version = draft(world)
    web(client, world.hq_admin)
    client.post(
        reverse("guidelines:version_action", args=[version.pk, "issue"]),
        {"emergency_reason": "دستور فوری فرماندهی"},
    )
    version.refresh_from_db()
    assert version.review_pending
    assert "ابلاغ‌شده، در انتظار بررسی" in client.get(version.get_absolute_url()).content.decode()
    web(client, hq2)
    client.post(
        reverse("guidelines:version_action", args=[version.pk, "review"]),
        {"note": "متن بررسی و تأیید شد"},
    )
    version.refresh_from_db()
    assert not version.review_pending


def test_home_panels(client, world, issuance):
    g = issuance.version.guideline
    g.mandate_due_on = datetime.date.today() - datetime.timedelta(days=3)
    g.save()
    services.version_start(actor=world.hq_admin, guideline=g)
    web(client, world.hq_admin)
    page = client.get("/").content.decode()
    assert 'id="guideline-mandates"' in page
    web(client, world.manager)
    page = client.get("/").content.decode()
    assert 'id="guidelines-pending"' in page
    assert Acknowledgement.objects.filter(institution=world.inst_a).count() == 1


def test_issuance_pdf_text_has_persian_title_and_clause_in_order(client, world, issuance, tmp_path):
    import shutil
    import subprocess

    web(client, world.manager)
    response = client.get(reverse("guidelines:issuance_pdf", args=[issuance.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(response.content)
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    extracted = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # pdftotext wraps runs in bidi embedding marks and drops ZWNJ (it has no glyph); the
    # words themselves must come out whole and in logical (reading) order.
    bidi = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200c"))
    flat = " ".join(extracted.translate(bidi).split())
    assert "شیوهنامه همکاری" in flat
    assert "موسسه رخدادها را در همان روز به" in flat
    assert issuance.content_hash in flat
    assert f"/g/{issuance.number}" in flat
    # Another institution's manager cannot fetch a foreign acknowledgement's letter, but
    # the letter of an HQ guideline is readable by every reader of guidelines.
    web(client, world.trainer)
    assert client.get(reverse("guidelines:issuance_pdf", args=[issuance.pk])).status_code == 404


def test_institution_page_lists_its_guidelines(client, world, issuance):
    web(client, world.province_officer)
    page = client.get(world.inst_a.get_absolute_url()).content.decode()
    assert 'id="institution-guidelines"' in page and issuance.number.replace("/", "") in (
        page.replace("/", "").translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    )
    assert client.get(world.inst_b.get_absolute_url()).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("extension", ["abc", "²", "-4", "1e20", ""])
def test_a_malformed_extension_id_is_not_found_not_a_server_error(
    client, world, issuance, extension
):
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    services.extension_request(actor=world.manager, ack=ack, reason="آموزش کارکنان تا پایان ماه")
    client.force_login(world.province_officer)
    url = reverse("guidelines:ack_action", args=[ack.pk, "decide"])
    response = client.post(url, {"extension": extension, "grant": "on"})
    assert response.status_code == 404
    assert not ack.extensions.exclude(status="requested").exists()
