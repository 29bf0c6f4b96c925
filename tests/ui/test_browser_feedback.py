"""The 197 story end to end in the browser: a citizen submits the public form and gets a
tracking code; an operator triages it; the institution it went to says it is not
responsible and names the station; the station resolves it with a public reply; the
citizen reads the reply on the status page and confirms it. Screenshots in
test-results/feedback-*.png."""

from pathlib import Path

import pytest

from entezam.feedback.choices import Category, Status, SubjectKind
from entezam.feedback.models import Feedback, RoutingRule
from tests.ui.conftest import choose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
REPLY = "با نگهبان شیفت کلانتری گفت‌وگو شد و تذکر کتبی گرفت."


def _sign_in(page, username):
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Entezam-1404")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"feedback-{name}.png"), full_page=True)


def test_citizen_to_station_and_back(browser_page, world):
    page = browser_page
    # HQ's table: complaints about an institution go to the institution first.
    RoutingRule.objects.create(
        category=Category.COMPLAINT,
        subject_kind=SubjectKind.INSTITUTION,
        to_institution=True,
        due_working_days=5,
        order=1,
    )

    # 1. The citizen, not signed in.
    page.goto(f"{page.base_url}/feedback/send/")
    page.fill(
        "textarea[name=text]", "نگهبان دم در بانک دیروز با پدرم خیلی بد رفتار کرد و توهین کرد"
    )
    page.fill("input[name=contact]", "09121234567")
    choose(page, "institution", world.inst_a.name)  # searched as the citizen types
    _shot(page, "public-form")
    page.click("[data-testid=public-form] button[type=submit]")
    code = page.inner_text("[data-testid=tracking-code]").strip()
    assert len(code) == 8
    _shot(page, "tracking-code")
    feedback = Feedback.objects.get(tracking_code=code)
    assert feedback.status == Status.NEW

    # 2. The operator confirms the category; it is routed to the institution.
    _sign_in(page, "operator")
    page.goto(f"{page.base_url}/feedback/?queue=triage")
    page.click(f"text={code}")
    page.select_option("[data-testid=triage-form] select[name=category]", Category.COMPLAINT)
    page.click("[data-testid=triage-form] button[type=submit]")
    page.wait_for_selector("[data-testid=assignments]")
    assert world.inst_a.name in page.inner_text("[data-testid=assignments]")
    _shot(page, "operator-triaged")

    # 3. The institution is not responsible: it names the station.
    _sign_in(page, "manager")
    page.goto(f"{page.base_url}/feedback/{feedback.pk}/")
    assert "09121234567" in page.inner_text("[data-testid=contact]").translate(
        str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    )
    page.select_option(
        "[data-testid=reroute-form] select[name=police_unit]", str(world.station_a.pk)
    )
    page.fill("[data-testid=reroute-form] input[name=reason]", "این نگهبان در شیفت کلانتری بود")
    _shot(page, "institution-reroute")
    page.click("[data-testid=reroute-form] button[type=submit]")
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/feedback"))

    # 4. The station resolves it with a public reply.
    _sign_in(page, "station")
    page.goto(f"{page.base_url}/feedback/?queue=handling")
    page.click(f"text={code}")
    page.fill("[data-testid=resolve-form] textarea[name=reply]", REPLY)
    page.click("[data-testid=resolve-form] button[type=submit]")
    page.wait_for_selector("text=" + REPLY)
    _shot(page, "station-resolved")

    # 5. The citizen reads the reply (and nothing private) and confirms.
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/feedback/track/{code}/")
    assert REPLY in page.inner_text("[data-testid=public-reply]")
    body = page.inner_text("body")
    assert "09121234567" not in body and world.station_a.name not in body
    _shot(page, "status-resolved")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=status]")
    feedback.refresh_from_db()
    assert feedback.status == Status.CLOSED
    assert page.inner_text("[data-testid=status]").strip() == str(Status.CLOSED.label)
    _shot(page, "status-closed")
    assert page.js_errors == []
