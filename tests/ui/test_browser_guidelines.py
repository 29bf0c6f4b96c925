"""In the browser: an HQ author drafts the guideline, a second HQ administrator approves
and issues it, the manager sees it with its Jalali deadline, acknowledges it with the
evidence asked for and records a briefing, and the compliance chart moves
(test-results/guidelines-*.png)."""

from pathlib import Path

import pytest

from entezam.core.persian import format_jalali
from entezam.guidelines.models import Acknowledgement, Issuance
from tests.accounts.factories import user_with_role
from tests.personnel.factories import EmploymentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"guidelines-{name}.png"), full_page=True)


def _sign_in(page, username):
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Entezam-1404")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_draft_approve_issue_acknowledge_brief(browser_page, world):
    page = browser_page
    user_with_role("hq_admin", username="hq2")
    guard = EmploymentFactory(institution=world.inst_a)
    EmploymentFactory(institution=world.inst_a)

    _sign_in(page, "hq")
    page.goto(f"{page.base_url}/guidelines/new/")
    page.fill("input[name=code]", "COOP-1404")
    page.fill("input[name=title]", "شیوه‌نامه همکاری موسسات با کلانتری‌ها")
    page.select_option("select[name=kind]", "cooperation")
    page.click("#guideline-form button[type=submit]")
    page.fill("#clause-add input[name=number]", "1")
    page.fill("#clause-add textarea[name=body]", "هر موسسه برای هر کلانتری یک رابط معرفی می‌کند.")
    page.check("#clause-add input[name=requires_evidence]")
    page.fill("#clause-add input[name=evidence_label]", "نام رابط کلانتری")
    page.click("#clause-add button[type=submit]")
    page.click("#submit-review")
    assert page.locator("#approve").count() == 0  # never the author
    version_url = page.url

    _sign_in(page, "hq2")
    page.goto(version_url)
    page.click("#approve")
    page.click("#issue")
    page.wait_for_url("**/issuances/*/")
    _shoot(page, "issued")
    assert page.locator("#compliance-chart").get_attribute("data-values") == "0|0"

    issuance = Issuance.objects.get()
    _sign_in(page, "manager")
    page.goto(f"{page.base_url}/guidelines/pending/")
    deadline = format_jalali(issuance.deadline, "long")
    assert deadline in page.locator("#pending-table").inner_text()
    _shoot(page, "pending")
    page.click("#pending-table a")
    page.click("#acknowledge")  # the evidence is required: the browser keeps the form
    assert page.locator("#ack-status").inner_text() != "تأیید دریافت‌شده"
    page.fill("input[name^=evidence_]", "سروان احمدی، کلانتری ۱۰۱")
    page.click("#acknowledge")
    page.wait_for_load_state()
    assert page.locator("#ack-status").inner_text() == "تأیید دریافت‌شده"
    page.select_option("select[name=attendees]", [str(guard.person_id)])
    page.click("#record-briefing")
    page.wait_for_load_state()
    assert "۱ از ۲" in page.locator("#briefed-count").inner_text()
    _shoot(page, "acknowledged")
    assert Acknowledgement.objects.get(institution=world.inst_a).status == "acknowledged"

    _sign_in(page, "hq")
    page.goto(f"{page.base_url}/guidelines/issuances/{issuance.pk}/")
    # Isfahan none of one; Tehran one of two.
    assert page.locator("#compliance-chart").get_attribute("data-values") == "0|50"
    _shoot(page, "compliance")
    assert page.js_errors == []
