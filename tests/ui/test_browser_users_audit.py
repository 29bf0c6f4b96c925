"""An HQ administrator creates a province officer in the product; the officer signs in,
filters the audit log by a Jalali date range and exports it."""

import io
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from entezam.core.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _sign_in(page, username, password):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{page.base_url}/")


def test_hq_admin_creates_a_province_officer_who_filters_and_exports_the_audit_log(
    world, browser_page
):
    page = browser_page
    _sign_in(page, "hq", "pw-Entezam-1404")
    page.goto(f"{page.base_url}/accounts/users/new/")
    page.fill("input[name=username]", "tehran.officer")
    page.fill("input[name=display_name]", "افسر تازه استان تهران")
    page.fill("input[name=password]", "Officer-pw-1404")
    page.select_option("select[name=role]", "province_officer")
    page.select_option("select[name=province]", str(world.province_a.pk))
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "user-create.png"), full_page=True)
    page.locator("form button.btn-primary").click()
    page.wait_for_selector("h1:has-text('افسر تازه استان تهران')")
    page.screenshot(path=str(SCREENSHOTS / "user-created.png"), full_page=True)
    page.locator(
        "form[action$='/accounts/logout/'] button, a[href$='/accounts/logout/']"
    ).first.click()

    page.context.clear_cookies()
    _sign_in(page, "tehran.officer", "Officer-pw-1404")
    page.goto(f"{page.base_url}/audit/")
    page.fill("input[name=date_from]", "۱۴۰۰/۰۱/۰۱")
    page.keyboard.press("Escape")
    page.fill("input[name=date_to]", "۱۴۳۰/۱۲/۲۹")
    page.keyboard.press("Escape")
    # The date picker is open over the button: submit from the next field, as a typist does.
    page.locator("input[name=actor]").press("Enter")
    page.wait_for_url("**date_from=*")
    page.screenshot(path=str(SCREENSHOTS / "audit-filtered.png"), full_page=True)
    # The officer's own creation (in their province) is in their log.
    assert page.locator(".history-table").count() == 1

    with page.expect_download() as download_info:
        page.locator("a[data-export]").click()
    content = Path(download_info.value.path()).read_bytes()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "زمان"
    export = AuditEvent.objects.get(action="list.export")
    assert export.actor_name == "tehran.officer"
    assert export.changes["filters"]["date_from"] == "2021-03-21"
    assert not page.js_errors
