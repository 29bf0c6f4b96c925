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


def _sign_in_to_the_new_institution_form(page):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", "prov")
    page.fill("input[name=password]", "pw-Entezam-1404")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{page.base_url}/")
    page.goto(f"{page.base_url}/institutions/new/")


def _options(page) -> list[str]:
    return [text.strip() for text in page.locator(".ts-dropdown .option").all_inner_texts()]


def test_a_late_search_answer_does_not_reopen_the_list_after_a_pick(world, browser_page):
    """On a slow network the answer to an earlier keystroke may arrive after the officer
    picked a unit: it must not open the list again over the form, nor change the pick."""
    page = browser_page
    held = []

    def hold_the_second_search(route):
        if "102" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route("**/lookup/supervising_unit/**", hold_the_second_search)
    _sign_in_to_the_new_institution_form(page)
    page.click("#id_supervising_unit-ts-control")
    page.keyboard.type("کلانتری")
    page.wait_for_timeout(800)
    assert any("۱۰۱" in text for text in _options(page))
    page.keyboard.type(" ۱۰۲")
    page.wait_for_timeout(800)
    assert len(held) == 1  # the answer to "کلانتری ۱۰۲" is still on its way
    page.locator(".ts-dropdown .option", has_text="۱۰۱").first.click()
    assert page.locator("select[name=supervising_unit]").input_value() == str(world.station_a.pk)
    assert not page.locator("#id_supervising_unit-ts-dropdown").is_visible()

    held[0].continue_()
    page.wait_for_timeout(800)
    assert not page.locator("#id_supervising_unit-ts-dropdown").is_visible()
    assert page.locator("select[name=supervising_unit]").input_value() == str(world.station_a.pk)

    # The dropped answer was not kept as that text's: typed again, the text asks again.
    page.unroute("**/lookup/supervising_unit/**")
    asked = []
    page.route(
        "**/lookup/supervising_unit/**",
        lambda route: (asked.append(route.request.url), route.continue_()),
    )
    page.click("#id_supervising_unit-ts-control")
    page.keyboard.type("کلانتری ۱۰۲")
    page.wait_for_timeout(800)
    assert any("102" in url for url in asked)
    assert "کلانتری ۱۰۲ تهران" in _options(page)
    assert page.js_errors == []
