"""A manager uploads a roster, watches the progress bar fill and downloads the report."""

import io
import json
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from entezam.core.models import Job
from entezam.personnel.models import Person
from tests.roster.files import active_standards, roster_rows, write_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_manager_imports_a_roster_and_downloads_the_report(world, browser_page, settings, tmp_path):
    # Jobs run in a background thread, as in the embedded server: the bar really moves.
    settings.ENTEZAM_JOBS_INLINE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    active_standards()
    rows = list(roster_rows(6000))
    rows[10][5] = "نامعلوم"
    roster = write_csv(tmp_path / "roster.csv", rows)

    page = browser_page
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "pw-Entezam-1404")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{page.base_url}/")

    page.get_by_role("button", name="کارکنان").click()
    page.get_by_role("link", name="بارگذاری فهرست پرسنل").click()
    page.wait_for_url(f"{page.base_url}/roster/")
    page.set_input_files("input[name=file]", str(roster))
    page.check("input[name=mode][value=partial]")
    page.locator("[data-job-upload-submit]").click()
    page.wait_for_url(f"{page.base_url}/roster/jobs/*/")

    seen = set()
    bar = page.locator("#job-progress .progress-bar")
    for _ in range(600):
        seen.add(int(bar.get_attribute("data-percent")))
        if page.locator("[data-job-finished]").count():
            break
        page.wait_for_timeout(100)
    assert page.locator("#job-progress .progress").get_attribute("aria-valuenow") == "100"
    assert max(seen) <= 100 and 100 in seen | {int(bar.get_attribute("data-percent"))}
    assert page.locator('[data-count="created"]').inner_text() == "۵٬۹۹۹"
    assert page.locator('[data-count="rejected"]').inner_text() == "۱"
    assert "مقادیر مجاز" in page.locator("table.roster-errors").inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "roster-finished.png"), full_page=True)

    with page.expect_download() as download_info:
        page.locator('[data-report-download="json"]').click()
    report = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert report["rows"] == 6000 and report["created"] == 5999 and report["rejected"] == 1
    assert report["errors"][0]["row"] == 12 and report["errors"][0]["column"] == "gender"

    with page.expect_download() as download_info:
        page.locator('[data-report-download="xlsx"]').click()
    content = Path(download_info.value.path()).read_bytes()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    summary = workbook.get_sheet_by_name("summary").to_python()
    assert summary[1][1] == 5999.0
    errors = workbook.get_sheet_by_name("errors").to_python()
    # The XLSX names the column as the file did; the JSON keeps the field name.
    assert errors[1][:3] == [12.0, "جنسیت", "unknown_value"]

    assert Person.objects.count() == 5999
    assert Job.objects.get().status == "succeeded"
    assert page.js_errors == []
