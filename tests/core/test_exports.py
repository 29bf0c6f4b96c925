"""Every list exports what it shows: its filters applied, its scope enforced, formula
cells neutralised, national codes masked by the reading rule, the export audited."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from entezam.core.models import AuditEvent
from entezam.institutions.models import Institution
from tests.personnel.factories import EmploymentFactory


def _sheet(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.mark.django_db
def test_a_managers_export_holds_only_their_institution(client, world):
    client.force_login(world.manager)
    rows = _sheet(client.get("/institutions/", {"export": "xlsx"}))
    assert [row[0] for row in rows[1:]] == [world.inst_a.name]
    event = AuditEvent.objects.get(action="list.export")
    assert event.actor_id == world.manager.pk and event.changes["rows"] == 1


@pytest.mark.django_db
def test_export_applies_the_list_filters_and_neutralises_formulas(client, world):
    Institution.objects.filter(pk=world.inst_a.pk).update(
        name='=HYPERLINK("x")', status="suspended"
    )
    client.force_login(world.hq_admin)
    rows = _sheet(client.get("/institutions/", {"status": "suspended", "export": "xlsx"}))
    assert len(rows) == 2
    assert rows[1][0] == '\'=HYPERLINK("x")'
    assert AuditEvent.objects.get(action="list.export").changes["filters"] == {
        "status": ["suspended"]
    }


@pytest.mark.django_db
def test_people_export_masks_codes_for_roles_that_may_not_read_them(client, world):
    employment = EmploymentFactory(institution=world.inst_a)
    code = employment.person.national_code
    client.force_login(world.station_officer)
    rows = _sheet(client.get("/people/", {"export": "xlsx"}))
    codes = {row[3] for row in rows[1:]}
    assert code not in codes and f"{code[:4]}***{code[-3:]}" in codes
    client.force_login(world.province_officer)
    response = client.get("/people/", {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert code in text


@pytest.mark.django_db
def test_csv_export_is_utf8_with_bom_and_dates_as_jalali_and_iso(client, world):
    client.force_login(world.hq_admin)
    response = client.get("/institutions/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="fa")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    header = content.decode("utf-8-sig").splitlines()[0]
    assert "(ISO)" in header
