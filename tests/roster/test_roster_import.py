"""Roster import service: validation of every cell, duplicates, conflicts, modes, formats."""

import datetime
import io
import json
import random
import zipfile

import pytest

from entezam.core.models import AuditEvent, AuditLink
from entezam.personnel.models import Employment, Person
from entezam.personnel.selectors import person_history
from entezam.roster.choices import ImportOutcome, Mode
from entezam.roster.selectors import importable_institutions
from entezam.roster.services import roster_import
from entezam.vetting.models import Application
from tests.personnel.factories import EmploymentFactory, PersonFactory
from tests.roster.files import (
    HEADER_FA,
    active_standards,
    csv_bytes,
    national_code,
    roster_row,
    roster_rows,
    write_csv,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def standards(world):
    active_standards()


def run(tmp_path, content: bytes, world, *, name="roster.csv", mode=Mode.ATOMIC, actor=None):
    path = tmp_path / name
    path.write_bytes(content)
    return roster_import(
        actor=actor or world.manager,
        institution=world.inst_a,
        path=path,
        file_name=name,
        mode=mode,
    )


def errors_by_row(report):
    found = {}
    for error in report.errors:
        found.setdefault(error.row, set()).add((error.column, error.code))
    return found


def test_valid_roster_creates_people_and_opens_applications(tmp_path, world, standards):
    report = run(tmp_path, csv_bytes(roster_rows(30)), world)

    assert report.outcome == ImportOutcome.WRITTEN
    assert report.as_dict() == {
        "rows": 30,
        "created": 30,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }
    assert Person.objects.count() == 30
    person = Person.objects.get(national_code=national_code(0))
    assert (person.first_name, person.last_name, person.gender) == ("علی", "رضایی", "male")
    assert person.birth_date == datetime.date(1981, 3, 21)  # 1360/01/01
    assert person.search_name == "علی رضایی"
    assert Application.objects.filter(institution=world.inst_a, status="submitted").count() == 30
    assert Application.objects.get(person=person).position == "guard"
    # Employment starts when an application is approved, not by the import.
    assert not Employment.objects.exists()
    event = AuditEvent.objects.get(action="roster.import")
    assert event.object_id == str(world.inst_a.pk)
    assert event.actor == world.manager
    assert event.role == "institution_manager"
    assert event.changes["created"] == 30
    assert len(event.changes["sha256"]) == 64
    assert event.changes["file_name"] == "roster.csv"
    assert event.changes["mode"] == "atomic"


def bad_corpus():
    """(row, expected {(column, code)}) for a roster of deliberately broken rows."""
    rows, expected = [], {}

    def add(row, problems):
        rows.append(row)
        expected[len(rows) + 1] = problems

    good = roster_row
    row = good(1)
    row[0] = row[0][:9] + str((int(row[0][9]) + 1) % 10)
    add(row, {("national_code", "bad_checksum")})
    row = good(2)
    row[4] = "1404/07/31"
    add(row, {("birth_date", "invalid_day")})
    row = good(3)
    row[1] = '=HYPERLINK("http://x","y")'
    add(row, {("first_name", "name_invalid_chars")})
    row = good(4)
    row[5] = "نامشخص"
    add(row, {("gender", "unknown_value")})
    row = good(5)
    row[7] = "حوزه"
    add(row, {("education", "unknown_value")})
    row = good(6)  # a man
    row[8] = ""
    add(row, {("military_service", "required_for_men")})
    row = good(7)  # a woman without military service: fine
    assert row[5] == "زن"
    add(row, set())
    row = good(9)  # everything wrong at once: every problem is reported
    row[0], row[2], row[4], row[6], row[9] = "123", "", "31/31/1370", "12345", "راننده"
    add(
        row,
        {
            ("national_code", "wrong_length"),
            ("last_name", "empty"),
            ("birth_date", "invalid_format"),
            ("mobile", "wrong_length"),
            ("position", "unknown_value"),
        },
    )
    row = good(10)
    row[4] = "2999-01-01"
    add(row, {("birth_date", "in_future")})
    row = good(11)
    row[3] = "+A1"
    add(row, {("father_name", "name_invalid_chars")})
    return rows, expected


def test_bad_input_corpus_reports_every_problem(tmp_path, world, standards):
    rows, expected = bad_corpus()
    report = run(tmp_path, csv_bytes(rows), world, mode=Mode.PARTIAL)

    found = errors_by_row(report)
    for row, problems in expected.items():
        assert found.get(row, set()) == problems, row
    assert report.rejected == sum(1 for problems in expected.values() if problems)
    assert report.created == 1
    # Every error names its row, column, code and a message in both languages.
    for error in report.errors:
        assert error.message_fa and error.message_en
        assert error.message_fa != error.message_en
    day_error = next(e for e in report.errors if e.code == "invalid_day")
    assert "مهر" in day_error.message_fa and "30 days" in day_error.message_en


def test_values_in_any_script_and_spelling(tmp_path, world, standards):
    header = [
        "كدملي",  # Arabic kaf and yeh, no space
        "First Name",
        "نام‌خانوادگی",  # ZWNJ
        "father_name",
        "Birth Date",
        "GENDER",
        "موبایل",
        "تحصیلات",
        "نظام وظیفه",
        "position",
    ]
    rows = [
        [
            "۱۳۵۴۲۴۱۹",
            "علي",
            "كريمي",
            "",
            "۱۳۷۵/۰۲/۰۳",
            "male",
            "۰۹۱۲۳۴۵۶۷۸۹",
            "دیپلم",
            "معاف",
            "guard",
        ],
        [
            national_code(5),
            "Sara",
            "O'Neil-Smith",
            "",
            "1990-05-17",
            "female",
            "",
            "دکتری",
            "",
            "Manager",
        ],
    ]
    report = run(tmp_path, csv_bytes(rows, header=header), world)

    assert report.errors == []
    first = Person.objects.get(national_code="0013542419")
    assert first.birth_date == datetime.date(1996, 4, 22)
    assert first.mobile == "09123456789"
    assert (first.education, first.military_service) == ("diploma", "exempt")
    second = Person.objects.get(national_code=national_code(5))
    assert second.birth_date == datetime.date(1990, 5, 17)
    assert (second.gender, second.education, second.military_service) == ("female", "doctorate", "")
    assert Application.objects.get(person=second).position == "manager"


def test_duplicate_national_codes_reject_every_row_naming_the_others(tmp_path, world, standards):
    rows = list(roster_rows(6))
    rows[3][0] = rows[0][0]
    rows[5][0] = rows[0][0]
    report = run(tmp_path, csv_bytes(rows), world, mode=Mode.PARTIAL)

    duplicates = {e.row: e for e in report.errors if e.code == "duplicate_in_file"}
    assert set(duplicates) == {2, 5, 7}
    assert duplicates[2].column == "national_code"
    assert "5, 7" in duplicates[2].message_en and "2, 7" in duplicates[5].message_en
    assert "۵" in duplicates[2].message_fa
    assert report.created == 3
    assert not Person.objects.filter(national_code=rows[0][0]).exists()


def test_person_employed_elsewhere_is_a_conflict_and_is_not_moved(tmp_path, world, standards):
    busy = PersonFactory(national_code=national_code(1))
    employment = EmploymentFactory(person=busy, institution=world.inst_b)
    report = run(tmp_path, csv_bytes(roster_rows(3)), world, mode=Mode.PARTIAL)

    assert errors_by_row(report) == {3: {("national_code", "employed_elsewhere")}}
    assert report.created == 2
    employment.refresh_from_db()
    assert employment.institution == world.inst_b and employment.end_date is None
    assert not Application.objects.filter(person=busy).exists()


def test_atomic_mode_writes_nothing_when_a_row_is_rejected(tmp_path, world, standards):
    rows = list(roster_rows(5000))
    rows[4500][4] = "1404/07/31"
    report = run(tmp_path, csv_bytes(rows), world)

    assert report.outcome == ImportOutcome.ROLLED_BACK
    assert report.failed
    assert (report.rows, report.rejected) == (5000, 1)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert not Person.objects.exists()
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action="roster.import").exists()


def test_partial_mode_writes_only_the_valid_rows(tmp_path, world, standards):
    rows = list(roster_rows(10))
    rows[2][0] = "1111111111"
    report = run(tmp_path, csv_bytes(rows), world, mode=Mode.PARTIAL)

    assert report.outcome == ImportOutcome.WRITTEN and not report.failed
    assert (report.created, report.rejected) == (9, 1)
    assert errors_by_row(report) == {4: {("national_code", "repeated_digits")}}
    assert Person.objects.count() == 9
    assert AuditEvent.objects.filter(action="roster.import").count() == 1


def test_dry_run_writes_nothing_and_reports_what_would_happen(tmp_path, world, standards):
    run(tmp_path, csv_bytes(roster_rows(4)), world)
    rows = list(roster_rows(6))
    rows[0][6] = "09350000000"
    events = AuditEvent.objects.count()
    # HQ may edit anyone: the changed mobile counts as an update.
    report = run(tmp_path, csv_bytes(rows), world, mode=Mode.DRY_RUN, actor=world.hq_admin)

    assert report.outcome == ImportOutcome.DRY_RUN
    assert (report.created, report.updated, report.unchanged) == (2, 1, 3)
    assert Person.objects.count() == 4
    assert Person.objects.get(national_code=rows[0][0]).mobile != "09350000000"
    assert Application.objects.count() == 4
    assert AuditEvent.objects.count() == events


def test_reimport_changes_nothing(tmp_path, world, standards):
    content = csv_bytes(roster_rows(50))
    run(tmp_path, content, world)
    applications = list(Application.objects.order_by("pk").values_list("pk", "status"))
    people = list(Person.objects.order_by("pk").values_list("pk", "updated_at"))
    events = AuditEvent.objects.count()

    report = run(tmp_path, content, world)

    assert report.as_dict() == {
        "rows": 50,
        "created": 0,
        "updated": 0,
        "unchanged": 50,
        "rejected": 0,
        "errors": [],
    }
    assert list(Application.objects.order_by("pk").values_list("pk", "status")) == applications
    assert list(Person.objects.order_by("pk").values_list("pk", "updated_at")) == people
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("id").action == "roster.import"


@pytest.mark.parametrize("importer", ["hq_admin", "employer"])
def test_changed_values_update_the_person_and_empty_optional_cells_keep_data(
    tmp_path, world, standards, importer
):
    run(tmp_path, csv_bytes(roster_rows(3)), world)
    if importer == "employer":
        for person in Person.objects.all():
            EmploymentFactory(person=person, institution=world.inst_a)
    actor = world.hq_admin if importer == "hq_admin" else world.manager
    rows = list(roster_rows(3))
    rows[0][7] = "کارشناسی ارشد"
    rows[1][6] = ""  # no mobile in this file: the stored one stays
    report = run(tmp_path, csv_bytes(rows), world, actor=actor)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Person.objects.get(national_code=rows[0][0]).education == "master"
    assert Person.objects.get(national_code=rows[1][0]).mobile == roster_row(1)[6]


def test_an_institution_that_does_not_employ_a_person_links_them_and_changes_nothing(
    tmp_path, world, standards
):
    # Registered by another institution's roster.
    report = roster_import(
        actor=world.hq_admin,
        institution=world.inst_b,
        path=write_csv(tmp_path / "b.csv", roster_rows(3)),
    )
    assert report.created == 3
    before = {p.pk: (p.mobile, p.education) for p in Person.objects.all()}
    rows = list(roster_rows(3))
    rows[0][6] = "09350000000"  # a new mobile: not theirs to give
    rows[1][7] = "دکتری"
    report = run(tmp_path, csv_bytes(rows), world)  # the manager of inst_a

    assert report.outcome == ImportOutcome.WRITTEN
    assert (report.created, report.rejected) == (0, 0)
    assert {p.pk: (p.mobile, p.education) for p in Person.objects.all()} == before
    # Linked: each now has an application at inst_a.
    assert Application.objects.filter(institution=world.inst_a).count() == 3


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        (1, "مریم", "first_name"),
        (2, "نامعلوم", "last_name"),
        (3, "جواد", "father_name"),
        (4, "1350/01/01", "birth_date"),
    ],
)
def test_a_row_contradicting_a_registered_identity_is_rejected_and_changes_nothing(
    tmp_path, world, standards, column, value, field
):
    roster_import(
        actor=world.hq_admin,
        institution=world.inst_b,
        path=write_csv(tmp_path / "b.csv", roster_rows(2)),
    )
    stored = {p.pk: p.__dict__.copy() for p in Person.objects.all()}
    rows = list(roster_rows(2))
    rows[0][column] = value
    report = run(tmp_path, csv_bytes(rows), world, mode=Mode.PARTIAL)

    assert report.rejected == 1
    assert errors_by_row(report) == {2: {(field, "identity_mismatch")}}
    message = report.errors[0].message_fa + report.errors[0].message_en
    assert roster_row(0)[column] not in message  # the stored value is never told
    for person in Person.objects.all():
        assert {k: v for k, v in person.__dict__.items() if k != "_state"} == {
            k: v for k, v in stored[person.pk].items() if k != "_state"
        }
    assert Application.objects.filter(institution=world.inst_a).count() == 1


def test_gender_cannot_be_turned_by_another_institution(tmp_path, world, standards):
    roster_import(
        actor=world.hq_admin,
        institution=world.inst_b,
        path=write_csv(tmp_path / "b.csv", [roster_row(3)]),  # a woman
    )
    row = roster_row(3)
    row[5], row[8] = "مرد", "پایان خدمت"
    report = run(tmp_path, csv_bytes([row]), world, mode=Mode.PARTIAL)
    assert errors_by_row(report) == {2: {("gender", "identity_mismatch")}}
    assert Person.objects.get().gender == "female"


def test_a_rejected_application_is_reopened_on_reimport(tmp_path, world, standards):
    content = csv_bytes(roster_rows(2))
    run(tmp_path, content, world)
    Application.objects.filter(person__national_code=national_code(0)).update(status="rejected")
    report = run(tmp_path, content, world)

    assert (report.updated, report.unchanged) == (1, 1)
    assert Application.objects.filter(person__national_code=national_code(0)).count() == 2


def test_same_rows_as_csv_utf8_cp1256_and_xlsx_give_the_same_report(tmp_path, world, standards):
    rows, _expected = bad_corpus()
    leading_zeros = roster_row(200)
    leading_zeros[0] = "0013542419"
    rows = [*rows, leading_zeros, *roster_rows(5, start=100)]
    # In the workbook, national codes are numbers (leading zeros dropped) and one birth
    # date is a date cell.
    cells = [list(row) for row in rows]
    for row in cells:
        if len(row[0]) == 10:
            row[0] = int(row[0])
    cells[-1][4] = datetime.date(1990, 5, 17)
    plain_rows = [list(row) for row in rows]
    plain_rows[-1][4] = "1990-05-17"
    reports = []
    for name, content in [
        ("utf8.csv", csv_bytes(plain_rows)),
        ("bom.csv", b"\xef\xbb\xbf" + csv_bytes(plain_rows)),
        # Windows-1256 has no Persian yeh: Excel writes the Arabic one, as here.
        ("cp1256.csv", csv_bytes(plain_rows).decode().replace("ی", "ي").encode("cp1256")),
        ("roster.xlsx", xlsx_bytes(cells)),
    ]:
        report = run(tmp_path, content, world, name=name, mode=Mode.DRY_RUN)
        reports.append(report.as_dict())
    assert reports[0]["rejected"] == 9 and reports[0]["created"] == 7
    for other in reports[1:]:
        assert other["errors"] == reports[0]["errors"]
        assert other == reports[0]


def test_a_workbook_is_parsed_once(tmp_path, world, standards, monkeypatch):
    """The second pass reads the rows spooled by the first, not the workbook again."""
    from entezam.core import xlsx

    parsed = []
    real_iter_rows = xlsx.iter_rows

    def counting_iter_rows(path):
        for row in real_iter_rows(path):
            parsed.append(row[0])
            yield row

    monkeypatch.setattr(xlsx, "iter_rows", counting_iter_rows)
    rows = list(roster_rows(40))
    report = run(tmp_path, xlsx_bytes(rows), world, name="r.xlsx")
    assert (report.created, report.rejected) == (40, 0)
    # The header is read once on its own, then every row once.
    assert len(parsed) == 1 + 41
    assert Person.objects.count() == 40


def test_json_report_has_exactly_the_specified_shape(tmp_path, world, standards):
    rows = list(roster_rows(3))
    rows[1][5] = "?"
    report = json.loads(json.dumps(run(tmp_path, csv_bytes(rows), world).as_dict()))

    assert list(report) == ["rows", "created", "updated", "unchanged", "rejected", "errors"]
    assert report["errors"] == [
        {
            "row": 3,
            "column": "gender",
            "code": "unknown_value",
            "message_fa": report["errors"][0]["message_fa"],
            "message_en": report["errors"][0]["message_en"],
        }
    ]
    assert all(isinstance(report[key], int) for key in list(report)[:5])


# --- the file as a whole ------------------------------------------------------------


def file_error(report):
    assert report.outcome == ImportOutcome.FILE_REJECTED
    assert report.failed
    assert len(report.errors) == 1
    assert not Person.objects.exists()
    error = report.errors[0]
    assert error.message_fa and error.message_en
    return error


def test_missing_required_column_is_an_error_for_the_whole_file(tmp_path, world, standards):
    header = [h for h in HEADER_FA if h != "سمت"]
    rows = [row[:-1] for row in roster_rows(3)]
    error = file_error(run(tmp_path, csv_bytes(rows, header=header), world))
    assert (error.row, error.column, error.code) == (1, "position", "missing_column")
    assert "سمت" in error.message_fa


def test_utf16_file_is_refused_with_a_clear_error(tmp_path, world, standards):
    content = csv_bytes(roster_rows(3)).decode().encode("utf-16")
    error = file_error(run(tmp_path, content, world))
    assert error.code == "utf16"
    assert "UTF-8" in error.message_en


def test_random_bytes_are_refused(tmp_path, world, standards):
    content = random.Random(7).randbytes(20_000)
    error = file_error(run(tmp_path, content, world, name="roster.csv"))
    assert error.code == "not_text"


def test_truncated_xlsx_is_refused(tmp_path, world, standards):
    content = xlsx_bytes(list(roster_rows(200)))
    error = file_error(run(tmp_path, content[: len(content) // 2], world, name="r.xlsx"))
    assert error.code == "xlsx_damaged"
    assert "damaged" in error.message_en


def test_zip_bomb_like_xlsx_is_refused_before_it_is_opened(tmp_path, world, standards):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 60_000_000 + b">")
    error = file_error(run(tmp_path, buffer.getvalue(), world, name="r.xlsx"))
    assert error.code == "xlsx_too_large"


def test_old_binary_excel_is_refused(tmp_path, world, standards):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    error = file_error(run(tmp_path, content, world, name="r.xls"))
    assert error.code == "unsupported_format"


def test_password_protected_xlsx_asks_for_the_password_to_be_removed(tmp_path, world, standards):
    # Excel stores a workbook encrypted with a password in an OLE container, not a zip.
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    error = file_error(run(tmp_path, content, world, name="r.xlsx"))
    assert error.code == "xlsx_protected"
    assert "password" in error.message_en


def test_empty_file_is_refused(tmp_path, world, standards):
    assert file_error(run(tmp_path, b"", world)).code == "empty_file"
    assert file_error(run(tmp_path, b"\n\n", world)).code == "empty_file"


# --- who may import -----------------------------------------------------------------


def test_who_may_import_where(world):
    assert set(importable_institutions(world.hq_admin)) == {
        world.inst_a,
        world.inst_a2,
        world.inst_b,
    }
    assert set(importable_institutions(world.province_officer)) == {world.inst_a, world.inst_a2}
    assert set(importable_institutions(world.manager)) == {world.inst_a}
    for user in (world.station_officer, world.hq_analyst, world.operator, world.trainer):
        assert not importable_institutions(user).exists()


def test_a_manager_cannot_import_into_another_institution(tmp_path, world, standards):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(roster_rows(2)))
    with pytest.raises(PermissionError):
        roster_import(actor=world.manager, institution=world.inst_b, path=path)
    assert not Person.objects.exists()


def test_a_position_without_an_active_standard_is_a_row_error(tmp_path, world):
    from entezam.vetting.models import Standard

    Standard.objects.create(
        code="GUARDS-ONLY", version=1, title="t", status="active", positions=["guard"]
    )
    rows = [roster_row(0), roster_row(3)]  # a guard and a supervisor
    report = run(tmp_path, csv_bytes(rows), world, mode=Mode.PARTIAL)
    assert errors_by_row(report) == {3: {("position", "no_active_standard")}}
    assert report.created == 1


def test_the_import_event_lists_the_people_it_created_and_linked(tmp_path, world, standards):
    roster_import(
        actor=world.hq_admin,
        institution=world.inst_b,
        path=write_csv(tmp_path / "b.csv", roster_rows(2)),
    )
    report = run(tmp_path, csv_bytes(list(roster_rows(3))), world)  # links 2, creates 1
    assert report.created == 1
    event = AuditEvent.objects.filter(action="roster.import", institution_id=world.inst_a.pk).get()
    assert event.changes["people"]["count"] == 3
    assert len(event.changes["people"]["sha256"]) == 64
    linked = AuditLink.objects.filter(event=event).values_list("object_id", flat=True)
    assert set(linked) == {str(pk) for pk in Person.objects.values_list("pk", flat=True)}
    for person in Person.objects.all():
        assert event in person_history(person)


def test_a_dry_run_or_rolled_back_import_links_no_one(tmp_path, world, standards):
    run(tmp_path, csv_bytes(list(roster_rows(3))), world, mode=Mode.DRY_RUN)
    rows = list(roster_rows(3))
    rows[1][0] = "1111111111"
    run(tmp_path, csv_bytes(rows), world)
    assert not AuditLink.objects.exists()


def test_a_file_of_mostly_rubbish_stops_past_the_rejected_limit(
    tmp_path, world, standards, monkeypatch
):
    from entezam.roster import writers

    monkeypatch.setattr(writers, "MAX_REJECTED_ROWS", 50)
    rows = [["x", "", "", "", "", "", "", "", "", ""] for _ in range(400)]
    report = run(tmp_path, csv_bytes(rows), world, mode=Mode.PARTIAL)

    assert report.outcome == ImportOutcome.FILE_REJECTED and report.failed
    assert report.errors[0].code == "too_many_rejected"
    assert "50" in report.errors[0].message_en and "۵۰" in report.errors[0].message_fa
    assert report.rejected == 51 and report.created == 0
    assert not Person.objects.exists() and not Application.objects.exists()
    # The rows found so far are in the full report, for the person fixing the file.
    codes = [error["code"] for error in report.iter_errors()]
    assert codes.count("not_digits") == 51 and codes[-1] == "too_many_rejected"


def test_one_row_reports_a_bounded_number_of_bounded_problems(tmp_path, world, standards):
    row = ["x" * 3000] * 10
    report = run(tmp_path, csv_bytes([row]), world, mode=Mode.PARTIAL)
    problems = list(report.iter_errors())
    assert 1 <= len(problems) <= 12
    assert all(len(p["message_en"]) < 600 and len(p["message_fa"]) < 600 for p in problems)


def test_the_report_keeps_every_problem_outside_memory(tmp_path, world, standards):
    rows = list(roster_rows(300))
    for row in rows[::2]:
        row[0] = "1234"
    report = run(tmp_path, csv_bytes(rows), world, mode=Mode.PARTIAL)
    assert report.rejected == 150 and report.error_count == 150
    assert len(report.errors) == 150  # below the preview size: all shown
    stream = io.StringIO()
    report.write_json(stream)
    written = json.loads(stream.getvalue())
    assert written["rejected"] == 150 and len(written["errors"]) == 150
    assert written["errors"][0] == report.errors[0].as_dict()
