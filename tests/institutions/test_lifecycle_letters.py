"""Suspend and revoke dialogs say what follows and take an optional letter number and a scan
of the letter: the number checked, the scan sniffed by content and kept privately, both in
the institution's history, the scan downloadable only by those who may see the institution."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from entezam.core.models import AuditEvent
from entezam.institutions.attachments import ATTACHMENT_MAX_BYTES
from entezam.institutions.models import Institution, LifecycleAttachment
from tests.accounts.factories import user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _suspend(client, institution, **data):
    payload = {"reason": "دستور کتبی فرماندهی استان", **data}
    return client.post(f"/institutions/{institution.pk}/suspend/", payload)


def test_the_dialog_says_what_follows_and_asks_for_the_letter(client, world):
    client.force_login(world.hq_admin)
    html = client.get(f"/institutions/{world.inst_a.pk}/revoke/").content.decode()
    assert "data-consequences" in html and "کارت" in html
    assert 'name="letter_number"' in html and 'name="attachment"' in html
    assert 'enctype="multipart/form-data"' in html
    # An action without a letter asks for none.
    html = client.get(f"/institutions/{world.inst_a.pk}/close/").content.decode()
    assert 'name="letter_number"' not in html


def test_a_suspension_keeps_its_letter_in_the_history(client, world, media):
    client.force_login(world.province_officer)
    upload = SimpleUploadedFile("نامه.pdf", PDF, content_type="application/octet-stream")
    response = _suspend(client, world.inst_a, letter_number="۱۲۳/ص/۴۵", attachment=upload)
    assert response.status_code == 302
    assert Institution.objects.get(pk=world.inst_a.pk).status == "suspended"
    kept = LifecycleAttachment.objects.get()
    assert kept.content_type == "application/pdf" and kept.file_name == "نامه.pdf"
    assert kept.file.name.startswith("institutions/letters/") and "نامه" not in kept.file.name
    event = AuditEvent.objects.get(action="institution.suspend")
    assert event.changes["letter_number"] == "123/ص/45"
    assert event.changes["attachment"] == {"id": kept.pk, "name": "نامه.pdf"}

    page = client.get(f"/institutions/{world.inst_a.pk}/")
    html = page.content.decode()
    assert "<bdi>۱۲۳/ص/۴۵</bdi>" in html
    assert f'href="/institutions/letters/{kept.pk}/"' in html
    download = client.get(f"/institutions/letters/{kept.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


def test_the_letter_is_optional(client, world, media):
    client.force_login(world.hq_admin)
    assert _suspend(client, world.inst_a).status_code == 302
    event = AuditEvent.objects.get(action="institution.suspend")
    assert "letter_number" not in event.changes and "attachment" not in event.changes


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letter.pdf", b"MZ\x90\x00 an executable named .pdf", "PDF"),
        ("letter.png", b"<svg onload=alert(1)>", "PDF"),
        ("letter.pdf", b"", "خالی"),
        ("letter.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES, "۵"),
    ],
)
def test_a_hostile_file_is_refused_and_nothing_changes(
    client, world, media, name, content, message
):
    client.force_login(world.hq_admin)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = _suspend(client, world.inst_a, attachment=upload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Institution.objects.get(pk=world.inst_a.pk).status == "active"
    assert not LifecycleAttachment.objects.exists()
    assert not AuditEvent.objects.filter(action="institution.suspend").exists()


@pytest.mark.parametrize("letter", ["۱" * 41, "12<script>", "۱۲۳|۴", "12;DROP", "a\nb=c"])
def test_a_hostile_letter_number_is_refused(client, world, media, letter):
    client.force_login(world.hq_admin)
    response = _suspend(client, world.inst_a, letter_number=letter)
    assert response.status_code == 200
    assert response.context["form"].errors["letter_number"]
    assert Institution.objects.get(pk=world.inst_a.pk).status == "active"


def test_only_those_who_may_see_the_institution_download_its_letter(client, world, media):
    client.force_login(world.hq_admin)
    _suspend(
        client,
        world.inst_a,
        letter_number="45",
        attachment=SimpleUploadedFile("scan.png", PNG),
    )
    kept = LifecycleAttachment.objects.get()
    url = f"/institutions/letters/{kept.pk}/"
    for user in (world.province_officer, world.station_officer, world.manager):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    foreign = user_with_role("institution_manager", world.inst_b, username="manager-b")
    for user in (foreign, world.trainer):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(world.hq_admin)
    assert client.get("/institutions/letters/999999/").status_code == 404


def test_a_bidi_control_in_the_letter_number_is_dropped(client, world, media):
    client.force_login(world.hq_admin)
    assert _suspend(client, world.inst_a, letter_number="۱۲۳\u202e۴").status_code == 302
    assert AuditEvent.objects.get(action="institution.suspend").changes["letter_number"] == "1234"


def test_the_number_and_the_scan_are_checked_together(client, world, media):
    client.force_login(world.hq_admin)
    upload = SimpleUploadedFile("letter.pdf", b"GIF89a", content_type="application/pdf")
    response = _suspend(client, world.inst_a, letter_number="12<script>", attachment=upload)
    errors = response.context["form"].errors
    assert set(errors) == {"letter_number", "attachment"}
    assert "تا ۵ مگابایت" in response.content.decode()  # the size cap in Persian digits


def test_the_dialog_in_a_modal_sends_the_page_away_not_into_the_dialog(client, world, media):
    client.force_login(world.hq_admin)
    response = client.post(
        f"/institutions/{world.inst_a.pk}/suspend/",
        {"reason": "دستور کتبی فرماندهی"},
        HTTP_HX_REQUEST="true",
    )
    # htmx follows a 302 inside the request and would swap the whole page into the modal.
    assert response.status_code == 204
    assert response["HX-Redirect"] == world.inst_a.get_absolute_url()
