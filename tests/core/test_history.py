"""History and the audit log as people read them: every audited field and count labelled,
values as the pages show them, codes kept Latin; audit filters and the scoped export."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from entezam.core import audit
from entezam.core.history import changes_display, has_label
from entezam.core.models import AuditEvent
from entezam.core.registry import ACTION_LABELS

SRC = Path(__file__).resolve().parents[2] / "src" / "entezam"
ACTION_LITERAL = re.compile(r"""action=(?:"|')([a-z_]+\.[a-z_]+)(?:"|')""")


def test_every_action_written_in_the_code_has_a_label():
    """An action recorded anywhere (a literal `action="app.verb"`) reads as a label."""
    actions = set()
    for path in SRC.rglob("*.py"):
        actions |= set(ACTION_LITERAL.findall(path.read_text(encoding="utf-8")))
    assert actions, "no audited actions found: the pattern no longer matches the code"
    missing = sorted(action for action in actions if action not in ACTION_LABELS)
    assert not missing, f"audit actions without a label: {missing}"


@pytest.mark.django_db(transaction=False)
def test_every_field_and_count_the_demo_records_has_a_label():
    """The demo runs every app's services; each key of each event they record is labelled
    (a new audited field or count without a label fails here)."""
    call_command("seed", institutions=4, people=40, applicants=12, demo_users=True, verbosity=0)
    unlabelled = set()
    actions = set()
    for event in AuditEvent.objects.all().iterator():
        actions.add(event.action)
        assert event.action in ACTION_LABELS, event.action
        for key in event.changes or {}:
            if not has_label(key, action=event.action, object_type=event.object_type):
                unlabelled.add((event.action, key))
    assert {"institution.create", "standard.create", "application.screen"} <= actions
    assert not unlabelled, f"audited keys without a label: {sorted(unlabelled)}"


def _event(action, obj, changes):
    return audit.record(actor=None, action=action, obj=obj, changes=changes, role="")


@pytest.mark.django_db
def test_values_read_as_the_pages_show_them(world):
    event = _event(
        "institution.update",
        world.inst_a,
        {
            "status": ["active", "suspended"],
            "licence_expires_on": ["2026-03-21", "2027-03-21"],
            "county": [None, "رباط‌کریم (#189)"],
            "authorised_headcount": [1200, 1500],
        },
    )
    with translation.override("fa"):
        rows = {row["key"]: row for row in changes_display(event)}
        assert rows["status"]["label"] == "وضعیت"
        assert (rows["status"]["old"], rows["status"]["new"]) == ("فعال", "تعلیق")
        assert rows["licence_expires_on"]["new"] == "۱۴۰۶/۰۱/۰۱"
        assert rows["county"]["new"] == "رباط‌کریم"
        assert rows["authorised_headcount"]["new"] == "۱٬۵۰۰"
    with translation.override("en"):
        rows = {row["key"]: row for row in changes_display(event)}
        assert rows["status"]["new"] == "Suspended"
        assert rows["licence_expires_on"]["new"] == "1406/01/01"


@pytest.mark.django_db
def test_codes_hashes_and_versions_stay_latin_and_left_to_right(world):
    event = _event(
        "roster.import",
        world.inst_a,
        {"sha256": "f7a449e0", "mode": "partial", "rows": 90, "file_name": "staff 47.xlsx"},
    )
    with translation.override("fa"):
        rows = {row["key"]: row for row in changes_display(event)}
    assert rows["sha256"]["new"] == '<bdi dir="ltr">f7a449e0</bdi>'
    assert rows["sha256"]["label"] == "اثر انگشت فایل (SHA-256)"
    assert rows["mode"]["new"].startswith("جزئی")
    assert rows["rows"]["new"] == "۹۰"


@pytest.mark.django_db
def test_standard_rules_read_as_sentences(world):
    from tests.vetting.factories import StandardFactory

    standard = StandardFactory()
    event = _event(
        "standard.create",
        standard,
        {"rules": [None, {"age_range": {"min": 20, "max": 45}}], "positions": [None, ["guard"]]},
    )
    with translation.override("fa"):
        rows = {row["key"]: row for row in changes_display(event)}
    assert "{" not in str(rows["rules"]["new"])
    assert "محدوده سنی" in str(rows["rules"]["new"]) and "۲۰" in str(rows["rules"]["new"])
    assert rows["positions"]["new"] == "پلیس‌یار"


@pytest.mark.django_db
def test_audit_row_names_and_links_its_object_and_actor(client, world):
    _event("institution.suspend", world.inst_a, {"status": ["active", "suspended"]})
    client.force_login(world.hq_admin)
    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert f'href="{world.inst_a.get_absolute_url()}"' in page
    assert world.inst_a.name in page
    assert "موسسه حفاظتی" in page  # the object's type


def _dated(action, obj, when):
    # Recorded as of `when` (PostgreSQL refuses any UPDATE of an event afterwards).
    with mock.patch("entezam.core.audit.timezone.now", return_value=when):
        return _event(action, obj, {})


@pytest.mark.django_db
def test_audit_filters_by_jalali_dates_action_actor_and_scope(client, world):
    aware = timezone.make_aware
    early = _dated("institution.suspend", world.inst_a, aware(datetime.datetime(2025, 3, 10, 12)))
    late = _dated("institution.reinstate", world.inst_a, aware(datetime.datetime(2025, 4, 5, 12)))
    foreign = _dated("institution.suspend", world.inst_b, aware(datetime.datetime(2025, 3, 15)))
    client.force_login(world.hq_admin)

    def ids(**params):
        response = client.get("/audit/", params)
        assert response.status_code == 200
        return {event.pk for event in response.context["history"]}

    # 1404/01/01 is 2025-03-21: Persian digits welcome.
    assert ids(date_from="۱۴۰۴/۰۱/۰۱") == {late.pk}
    assert ids(date_to="1403/12/30") == {early.pk, foreign.pk}
    assert ids(action="institution.suspend") == {early.pk, foreign.pk}
    assert ids(institution=world.inst_b.pk) == {foreign.pk}
    assert ids(province=world.province_a.pk, action="institution.suspend") == {early.pk}
    assert ids(object_type="institutions.institution") >= {early.pk, late.pk, foreign.pk}
    assert ids(actor="nobody") == set()
    # A bad date is a form error, not a 500, and filters nothing away.
    response = client.get("/audit/", {"date_from": "1404/13/40"})
    assert response.status_code == 200 and response.context["filter_form"].errors


@pytest.mark.django_db
def test_action_filter_offers_persian_labels(client, world):
    client.force_login(world.hq_admin)
    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert '<option value="institution.suspend">' in page
    assert "institution.suspend</option>" not in page


@pytest.mark.django_db
def test_province_officer_exports_only_their_province_and_the_export_is_audited(client, world):
    _event("institution.suspend", world.inst_a, {"status": ["active", "suspended"]})
    _event("institution.suspend", world.inst_b, {"status": ["active", "suspended"]})
    _event("institution.update", world.inst_a, {"name": [None, "=HYPERLINK(1)"]})
    client.force_login(world.province_officer)
    response = client.get("/audit/", {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    header, rows = sheet[0], sheet[1:]
    assert header[0] == "زمان" and header[1] == "زمان (ISO)"
    # Time, its ISO date, by, role, action, about, object, changes, reason.
    assert len(header) == 9
    objects = {row[6] for row in rows}
    assert world.inst_a.name in objects and world.inst_b.name not in objects
    changes = [row[7] for row in rows]
    assert not any(str(cell).startswith("=") for row in rows for cell in row)
    assert any("'=HYPERLINK" in cell or "=HYPERLINK" in cell for cell in changes)
    export = AuditEvent.objects.get(action="list.export")
    assert export.actor_id == world.province_officer.pk
    assert export.changes["rows"] == len(rows)


@pytest.mark.django_db
def test_csv_export_has_a_bom_and_neutralised_cells(client, world):
    _event("institution.update", world.inst_a, {"name": [None, "+cmd"]})
    client.force_login(world.hq_admin)
    response = client.get("/audit/", {"export": "csv"})
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    assert "+cmd" in content.decode("utf-8-sig")


@pytest.mark.django_db
def test_a_role_that_may_not_read_the_log_cannot_export_it(client, world):
    _event("institution.suspend", world.inst_a, {"status": ["active", "suspended"]})
    client.force_login(world.trainer)
    response = client.get("/audit/", {"export": "xlsx"})
    content = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    assert sheet.to_python()[1:] == []
