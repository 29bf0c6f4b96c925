"""A person signs in and registers an institution through the Persian RTL pages."""

from pathlib import Path

import pytest

from entezam.core.models import AuditEvent
from entezam.institutions.models import Institution
from tests.ui.conftest import choose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_province_officer_registers_an_institution(world, browser_page):
    page = browser_page
    page.goto(f"{page.base_url}/accounts/login/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("input[name=username]", "prov")
    page.fill("input[name=password]", "pw-Entezam-1404")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{page.base_url}/")

    page.goto(f"{page.base_url}/institutions/new/")
    page.fill("input[name=registration_number]", "۸۸۰۰۱")
    page.fill("input[name=name]", "موسسه حفاظتی و مراقبتی ایمن‌گستر البرز")
    page.select_option("select[name=kind]", "guarding")
    page.select_option("select[name=province]", str(world.province_a.pk))
    choose(page, "supervising_unit", "کلانتری ۱۰۱")
    assert page.locator("select[name=supervising_unit]").input_value() == str(world.station_a.pk)
    page.fill("input[name=managing_director]", "زهرا کریمی")
    page.fill("input[name=managing_director_national_code]", "۰۰۱۳۵۴۲۴۱۹")
    page.fill("input[name=authorised_headcount]", "45")
    page.fill("input[name=licence_issued_on]", "۱۴۰۵/۰۲/۱۰")
    page.keyboard.press("Escape")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "institution-create.png"), full_page=True)
    page.locator("form.edit-form button[type=submit]").click()

    page.wait_for_selector("h1:has-text('ایمن‌گستر')")
    page.screenshot(path=str(SCREENSHOTS / "institution-created.png"), full_page=True)
    institution = Institution.objects.get(registration_number="88001")
    assert institution.status == "applicant"
    assert institution.managing_director_national_code == "0013542419"
    assert institution.licence_issued_on.isoformat() == "2026-04-30"
    assert page.url.endswith(f"/institutions/{institution.pk}/")
    # The detail page shows Persian digits and the history of the new record.
    assert "۸۸۰۰۱" in page.content()
    assert AuditEvent.objects.filter(action="institution.create", actor__username="prov").exists()
    assert page.js_errors == []
