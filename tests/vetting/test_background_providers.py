"""Background-check providers: the interface, the registry, manual and file providers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from entezam.core.models import AuditEvent, Job
from entezam.vetting import services
from entezam.vetting.models import BackgroundCheck
from entezam.vetting.providers import (
    PROVIDERS,
    BackgroundCheckProvider,
    CheckOutcome,
    FileProvider,
    ManualProvider,
    RowError,
    get_provider,
)
from tests.personnel.factories import EmploymentFactory, PersonFactory


def test_registry_holds_the_two_working_providers():
    assert set(PROVIDERS) == {"manual", "file"}
    assert isinstance(get_provider("manual"), BackgroundCheckProvider)
    with pytest.raises(ValueError):
        get_provider("national_records")


@pytest.mark.django_db
def test_request_returns_a_reference():
    person = PersonFactory(applicant=True)
    request = ManualProvider().request(person)
    assert request.national_code == person.national_code and request.reference.startswith("MAN-")
    assert FileProvider().request(person).provider == "file"


def test_file_provider_reads_persian_and_reports_bad_rows():
    content = (
        "national_code,result,reference,checked_on,detail\n"
        "۰۰۱۲۳۴۵۶۷۷,پاک,R-1,۱۴۰۴/۰۱/۱۵,\n"  # bad check digit
        "0499370899,دارای سابقه,R-2,2025-04-04,محکومیت\n"
        "0499370899,maybe,R-3,2025-04-04,\n"
        "0499370899,clear,,2025-04-04,\n"
        "0499370899,pending,R-5,1404/12/30,\n"  # 1404 is not a leap year
        "0499370899,در انتظار,R-6,1404/01/15,\n"
    ).encode("utf-8-sig")
    items = list(FileProvider(content, today=datetime.date(2025, 6, 1)).results())
    errors = [i for i in items if isinstance(i, RowError)]
    outcomes = [i for i in items if isinstance(i, CheckOutcome)]
    assert [(e.row, e.column, e.code) for e in errors] == [
        (2, "national_code", "bad_checksum"),
        (4, "result", "invalid_result"),
        (5, "reference", "reference_required"),
        (6, "checked_on", "invalid_day"),
    ]
    assert all(e.message_fa and e.message_en for e in errors)
    assert [(o.row, o.result, o.checked_on) for o in outcomes] == [
        (3, "disqualifying", datetime.date(2025, 4, 4)),
        (7, "pending", datetime.date(2025, 4, 4)),
    ]


def test_file_provider_missing_columns():
    (error,) = list(FileProvider(b"national_code,result\n0499370899,clear\n").results())
    assert error.code == "missing_columns" and "reference" in error.message_en


def _csv(rows):
    lines = ["national_code,result,reference,checked_on,detail"] + [",".join(r) for r in rows]
    return "\n".join(lines).encode()


def test_import_is_idempotent_and_reports_rows(world):
    person = EmploymentFactory(institution=world.inst_a).person
    foreign = EmploymentFactory(institution=world.inst_b).person
    today = timezone.localdate().isoformat()
    content = _csv(
        [
            (person.national_code, "clear", "F-1", today, ""),
            (foreign.national_code, "clear", "F-2", today, ""),
            (person.national_code, "unknown", "F-3", today, ""),
        ]
    )
    report = services.background_checks_import(actor=world.province_officer, content=content)
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    assert sorted((e.row, e.column, e.code) for e in report.errors) == [
        (3, "national_code", "unknown_person"),  # outside the officer's province
        (4, "result", "invalid_result"),
    ]
    job = Job.objects.get(pk=report.job_id)
    assert job.result["created"] == 1 and job.result["rejected"] == 2
    again = services.background_checks_import(actor=world.province_officer, content=content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert BackgroundCheck.objects.filter(provider="file").count() == 1
    # A corrected result for the same reference updates the row in place.
    fixed = _csv([(person.national_code, "disqualifying", "F-1", today, "")])
    third = services.background_checks_import(actor=world.province_officer, content=fixed)
    assert (third.created, third.updated) == (0, 1)
    assert BackgroundCheck.objects.get(reference="F-1").result == "disqualifying"
    assert AuditEvent.objects.filter(action="background_check.import").count() == 3


def test_manual_record(world):
    person = EmploymentFactory(institution=world.inst_a).person
    check = services.background_check_record(
        actor=world.station_officer, person=person, result="clear", checked_on=timezone.localdate()
    )
    assert check.provider == "manual" and check.reference.startswith("MAN-")
    assert check.recorded_by == world.station_officer
    with pytest.raises(ValidationError) as exc:
        services.background_check_record(
            actor=world.station_officer,
            person=person,
            result="clear",
            checked_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "checked_on" in exc.value.message_dict
    with pytest.raises(ValidationError):  # the same reference twice is not a new result
        services.background_check_record(
            actor=world.station_officer,
            person=person,
            result="clear",
            checked_on=timezone.localdate(),
            reference=check.reference,
        )


def test_file_provider_accepts_persian_headers_and_values():
    content = (
        "کد ملی,نتیجه استعلام,شماره پیگیری,تاریخ استعلام,توضیحات\n"
        "۰۴۹۹۳۷۰۸۹۹,فاقد سابقه,ر-۱,۱۴۰۴/۰۱/۱۵,\n"
    ).encode()
    (outcome,) = list(FileProvider(content, today=datetime.date(2025, 6, 1)).results())
    assert isinstance(outcome, CheckOutcome)
    assert (outcome.national_code, outcome.result) == ("0499370899", "clear")
    assert outcome.checked_on == datetime.date(2025, 4, 4)


@pytest.mark.django_db
def test_the_downloadable_template_is_read_back_by_the_import(client, world):
    client.force_login(world.province_officer)
    response = client.get("/selection/checks/template.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    items = list(FileProvider(content, today=datetime.date(2025, 6, 1)).results())
    (outcome,) = items
    assert isinstance(outcome, CheckOutcome)
    assert (outcome.national_code, outcome.result, outcome.reference) == (
        "0499370899",
        "clear",
        "R-1404-0001",
    )
    client.force_login(world.manager)
    assert client.get("/selection/checks/template.xlsx").status_code == 403


def test_a_damaged_workbook_is_one_clear_row_error():
    (error,) = list(FileProvider(b"PK\x03\x04 broken").results())
    assert isinstance(error, RowError) and error.code == "unreadable_workbook"
