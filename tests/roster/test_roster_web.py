"""Roster import on the web and over the API: upload, job progress, reports (who may
import and read which job: tests/roster/test_permissions.py)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from python_calamine import CalamineWorkbook

from entezam.core.models import Job
from entezam.personnel.models import Person
from entezam.roster.columns import COLUMN_LABELS, FIELDS, HEADER_ALIASES
from entezam.roster.report import neutralize, write_xlsx_report
from tests.permissions import api
from tests.roster.files import HEADER_FA, csv_bytes, roster_file, roster_rows

pytestmark = pytest.mark.django_db


def test_upload_runs_a_job_and_shows_the_finished_report(
    client, setup, django_capture_on_commit_callbacks
):
    client.force_login(setup.manager)
    rows = list(roster_rows(8))
    rows[2][1] = '=HYPERLINK("http://x","y")'
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/roster/",
            {
                "institution": setup.inst_a.pk,
                "file": roster_file(rows, name="staff.xlsx"),
                "mode": "partial",
            },
        )
    job = Job.objects.get(kind="roster_import")
    assert response.status_code == 302
    assert response["Location"] == f"/roster/jobs/{job.pk}/"
    assert job.status == "succeeded"
    assert job.result["created"] == 7 and job.result["rejected"] == 1
    assert Person.objects.count() == 7
    # The upload held national codes: it is gone, its fingerprint stays and the page says so.
    assert not job.input_file and len(job.params["input_sha256"]) == 64

    page = client.get(f"/roster/jobs/{job.pk}/").content.decode()
    assert "staff.xlsx" in page
    assert job.params["input_sha256"] in page
    assert 'data-count="created">۷<' in page
    assert "hx-trigger" not in page  # finished: no more polling
    fragment = client.get(f"/roster/jobs/{job.pk}/progress/").content.decode()
    assert 'data-percent="100"' in fragment
    assert "نام فقط می‌تواند" in fragment

    download = client.get(f"/roster/jobs/{job.pk}/report.json")
    assert download["Content-Type"].startswith("application/json")
    report = json.loads(b"".join(download.streaming_content))
    assert report["rows"] == 8 and report["rejected"] == 1
    assert report["errors"][0]["row"] == 4 and report["errors"][0]["column"] == "first_name"
    response = client.get(f"/roster/jobs/{job.pk}/report.xlsx")
    assert response["Content-Disposition"].startswith("attachment")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    errors = workbook.get_sheet_by_name("errors").to_python()
    assert errors[0] == ["row", "column", "code", "message_fa", "message_en"]
    # The column as the file's header named it; the JSON report keeps the field's name.
    assert errors[1][:3] == [4.0, "نام", "name_invalid_chars"]


HEADER_EN = [
    "National Code",
    "First Name",
    "Last Name",
    "Father Name",
    "Birth Date",
    "Gender",
    "Mobile",
    "Education",
    "Military Service",
    "Position",
]


def _import_with_errors(client, setup, on_commit, header, name):
    rows = list(roster_rows(3))
    rows[1][1] = "Ali1"  # a digit in the first name
    rows[2][0] = "123"  # not a national code
    content = csv_bytes(rows, header=header)
    client.force_login(setup.manager)
    with on_commit(execute=True):
        client.post(
            "/roster/",
            {
                "institution": setup.inst_a.pk,
                "file": SimpleUploadedFile(name, content),
                "mode": "partial",
            },
        )
    return Job.objects.get(kind="roster_import")


@pytest.mark.parametrize(
    ("header", "first_name", "national_code"),
    [
        (HEADER_FA, "نام", "کد ملی"),
        (HEADER_EN, "First Name", "National Code"),
    ],
)
def test_the_error_table_names_columns_by_the_files_own_header(
    client, setup, django_capture_on_commit_callbacks, header, first_name, national_code
):
    job = _import_with_errors(
        client, setup, django_capture_on_commit_callbacks, header, "staff.csv"
    )
    assert job.result["rejected"] == 2
    page = client.get(f"/roster/jobs/{job.pk}/").content.decode()
    table = page.split('class="table table-sm table-striped align-middle mb-0 roster-errors"')[1]
    assert f"<bdi>{first_name}</bdi>" in table and f"<bdi>{national_code}</bdi>" in table
    assert ">first_name<" not in table and ">national_code<" not in table
    response = client.get(f"/roster/jobs/{job.pk}/report.xlsx")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    columns = {row[1] for row in workbook.get_sheet_by_name("errors").to_python()[1:]}
    assert columns == {first_name, national_code}
    report = json.loads(
        b"".join(client.get(f"/roster/jobs/{job.pk}/report.json").streaming_content)
    )
    assert {(e["column"], e["header"]) for e in report["errors"]} == {
        ("first_name", first_name),
        ("national_code", national_code),
    }


def test_a_missing_column_is_named_in_the_files_language(
    client, setup, django_capture_on_commit_callbacks
):
    english = [h for h in HEADER_EN if h != "Last Name"]
    rows = [[cell for i, cell in enumerate(row) if i != 2] for row in roster_rows(2)]
    client.force_login(setup.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/roster/",
            {
                "institution": setup.inst_a.pk,
                "file": SimpleUploadedFile("staff.csv", csv_bytes(rows, header=english)),
                "mode": "partial",
            },
        )
    job = Job.objects.get(kind="roster_import")
    assert job.result["outcome"] == "file_rejected"
    page = client.get(f"/roster/jobs/{job.pk}/").content.decode()
    assert "<bdi>last name</bdi>" in page


def test_a_running_job_polls_every_second(client, setup):
    client.force_login(setup.manager)
    job = Job.objects.create(
        kind="roster_import",
        created_by=setup.manager,
        status="running",
        total=1000,
        done=250,
        params={"file_name": "r.csv", "institution_name": "x", "mode": "atomic"},
    )
    fragment = client.get(f"/roster/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert 'data-percent="25"' in fragment
    assert client.get(f"/roster/jobs/{job.pk}/report.json").status_code == 404


def test_file_type_and_size_are_checked_on_upload(client, setup, settings):
    client.force_login(setup.manager)
    response = client.post(
        "/roster/",
        {
            "institution": setup.inst_a.pk,
            "file": SimpleUploadedFile("roster.pdf", b"%PDF-1.4"),
            "mode": "atomic",
        },
    )
    assert response.status_code == 400
    assert "CSV" in str(response.context["form"].errors["file"])


def test_template_download(client, setup):
    client.force_login(setup.manager)
    response = client.get("/roster/template.xlsx")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = workbook.get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["کد ملی", "نام", "نام خانوادگی"]


def test_a_template_header_is_its_column_label_in_persian():
    # Messages name a column by its label; the template heads it with the same words.
    with translation.override("fa"):
        labels = {name: str(COLUMN_LABELS[name]) for name in FIELDS}
    assert labels == {name: HEADER_ALIASES[name][0] for name in FIELDS}


def test_xlsx_report_neutralises_formulas():
    assert neutralize("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralize("+1") == "'+1" and neutralize("-1") == "'-1" and neutralize("@x") == "'@x"
    assert neutralize("علی") == "علی" and neutralize(3) == 3
    stream = io.BytesIO()
    report = {
        "rows": 1,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "errors": [
            {"row": 2, "column": "x", "code": "c", "message_fa": "=1+2", "message_en": "@SUM(A1)"}
        ],
    }
    write_xlsx_report(report, stream)
    stream.seek(0)
    workbook = CalamineWorkbook.from_filelike(stream)
    errors = workbook.get_sheet_by_name("errors").to_python()
    assert errors[1][3:] == ["'=1+2", "'@SUM(A1)"]
    summary = workbook.get_sheet_by_name("summary").to_python()
    assert [row[0] for row in summary] == [
        "سطرها / Rows",
        "ایجادشده / Created",
        "به‌روزشده / Updated",
        "بدون تغییر / Unchanged",
        "ردشده / Rejected",
    ]


# --- API ------------------------------------------------------------------------------


def test_api_upload_returns_202_and_the_status_url(setup, django_capture_on_commit_callbacks):
    client = api(setup.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/roster-imports/",
            {
                "file": roster_file(),
                "institution": setup.inst_a.registration_number,
                "mode": "dry_run",
            },
            format="multipart",
        )
    assert response.status_code == 202
    job = Job.objects.get()
    assert response.json() == {
        "job": job.pk,
        "status_url": f"http://testserver/api/v1/roster-imports/{job.pk}/",
    }
    status = client.get(f"/api/v1/roster-imports/{job.pk}/").json()
    assert status["status"] == "succeeded"
    assert status["outcome"] == "dry_run"
    assert status["progress"] == {"done": 8, "total": 8, "percent": 100}
    assert status["counts"] == {
        "rows": 8,
        "created": 8,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert status["report"]["errors"] == [] and status["report"]["created"] == 8
    assert status["report_urls"]["xlsx"].endswith(f"/roster/jobs/{job.pk}/report.xlsx")
    assert not Person.objects.exists()
    listing = client.get("/api/v1/roster-imports/").json()
    assert [item["job"] for item in listing["results"]] == [job.pk]


def test_api_rejects_a_bad_mode_and_file_type(setup):
    response = api(setup.manager).post(
        "/api/v1/roster-imports/",
        {
            "file": SimpleUploadedFile("a.txt", b"x"),
            "institution": setup.inst_a.registration_number,
            "mode": "sometimes",
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"file", "mode"}


def test_the_api_pages_through_a_large_report(setup, django_capture_on_commit_callbacks):
    rows = list(roster_rows(260))
    for row in rows:
        row[0] = "12"
    client = api(setup.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/roster-imports/",
            {
                "file": roster_file(rows, name="bad.csv"),
                "institution": setup.inst_a.registration_number,
                "mode": "partial",
            },
            format="multipart",
        )
    job = Job.objects.get()
    status = client.get(f"/api/v1/roster-imports/{job.pk}/").json()
    assert status["report"]["error_count"] == 260
    assert len(status["report"]["errors"]) == 200  # the first ones; all are one link away
    page = client.get(status["report"]["errors_url"], {"page": 2, "page_size": 100}).json()
    assert page["count"] == 260 and len(page["results"]) == 100
    assert page["results"][0]["row"] == 102
    last = client.get(status["report"]["errors_url"], {"page": 3, "page_size": 100}).json()
    assert len(last["results"]) == 60 and last["next"] is None
    other = api(setup.hq_analyst).get(status["report"]["errors_url"])
    assert other.status_code == 404


def test_the_upload_form_offers_institutions_by_search_not_all_listed(world, client):
    """HQ may import into every operating institution: the form lists none of them and its
    searchable select asks its lookup, which answers only importable ones."""
    from tests.institutions.factories import InstitutionFactory

    InstitutionFactory(
        supervising_unit=world.station_a, name="موسسه نگهبانان تعلیق", status="suspended"
    )
    client.force_login(world.hq_admin)
    page = client.get("/roster/").content.decode()
    assert 'data-lookup="/lookup/importable_institution/"' in page
    assert "موسسه حفاظتی سپاهان" not in page
    found = client.get("/lookup/importable_institution/", {"q": "موسسه"}).json()["results"]
    names = {row["text"] for row in found}
    assert {"موسسه حفاظتی امین", "موسسه حفاظتی سپاهان"} <= names
    assert "موسسه نگهبانان تعلیق" not in names  # not operating: no roster goes there
    client.force_login(world.manager)
    found = client.get("/lookup/importable_institution/").json()["results"]
    assert [row["text"] for row in found] == ["موسسه حفاظتی امین"]
    # The manager's only institution is chosen already.
    page = client.get("/roster/").content.decode()
    assert f'value="{world.inst_a.pk}" selected' in page
