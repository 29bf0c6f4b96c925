"""An institution manager enrols approved applicants, the trainer records passing scores,
the manager issues cards and downloads one as PDF, and the public page of the card's QR
token says "may work" — then "suspended" once the institution is suspended."""

from pathlib import Path

import pytest
from django.utils import timezone

from entezam.credentials.models import Card
from entezam.institutions.services import institution_suspend
from entezam.training.models import Certificate, Enrolment
from tests.training.conftest import approved_applicant
from tests.training.factories import CourseFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def sign_in(browser, base_url, username):
    context = browser.new_context(locale="fa-IR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Entezam-1404")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base_url}/")
    return page


def test_enrol_grade_issue_and_verify(world, browser_page):
    today = timezone.localdate()
    course = CourseFactory(code="GRD-101", title="آموزش پایه پلیس‌یار", pass_mark=60)
    session = SessionFactory(
        course=course,
        province=world.province_a,
        trainers=[world.trainer],
        start_date=today,
        end_date=today,
        status="open",
    )
    people = [approved_applicant(world.inst_a) for _ in range(2)]
    base = browser_page.base_url
    browser = browser_page.context.browser
    SCREENSHOTS.mkdir(exist_ok=True)

    manager = sign_in(browser, base, "manager")
    manager.goto(f"{base}{session.get_absolute_url()}")
    assert manager.locator("html").get_attribute("dir") == "rtl"
    manager.select_option("form.bulk-enrol-form select[name=institution]", str(world.inst_a.pk))
    manager.locator("form.bulk-enrol-form button[type=submit]").click()
    manager.wait_for_selector(".bulk-report")
    assert Enrolment.objects.filter(session=session).count() == 2

    trainer = sign_in(browser, base, "trainer")
    trainer.goto(f"{base}{session.get_absolute_url()}")
    for enrolment in Enrolment.objects.filter(session=session):
        trainer.check(f"input[name='att-{enrolment.pk}-{today.isoformat()}']")
        trainer.fill(f"input[name='score-{enrolment.pk}']", "۸۵")
    trainer.screenshot(path=str(SCREENSHOTS / "training-sheet.png"), full_page=True)
    trainer.locator("table.enrolment-sheet").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    trainer.wait_for_selector(".enrolment-sheet a bdi")
    assert Certificate.objects.filter(person__in=people).count() == 2

    manager.goto(f"{base}/cards/")
    # The manager's one operating institution is chosen already (a searchable select).
    assert manager.locator("#issue-institution").input_value() == str(world.inst_a.pk)
    manager.locator("form.issue-form button[type=submit]").first.click()
    manager.wait_for_selector("table.object-table")
    assert Card.objects.filter(status="active").count() == 2
    card = Card.objects.order_by("number").first()
    manager.goto(f"{base}{card.get_absolute_url()}")
    with manager.expect_download() as download:
        manager.locator(f"a[href='/cards/{card.pk}/card.pdf']").click()
    path = download.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    manager.screenshot(path=str(SCREENSHOTS / "card-detail.png"), full_page=True)

    public = browser.new_context(locale="fa-IR").new_page()
    public.goto(f"{base}/v/{card.token}")
    assert public.locator("[data-result]").get_attribute("data-result") == "active"
    assert "مجاز به فعالیت" in public.locator(".verify-result").inner_text()
    public.screenshot(path=str(SCREENSHOTS / "verify-may-work.png"), full_page=True)
    institution_suspend(actor=world.hq_admin, institution=world.inst_a, reason="گزارش بازرسی استان")
    public.reload()
    assert public.locator("[data-result]").get_attribute("data-result") == "suspended"
    public.screenshot(path=str(SCREENSHOTS / "verify-suspended.png"), full_page=True)


def test_the_offline_check_in_the_browser(world, browser_page):
    from entezam.credentials.pdf import qr_url
    from entezam.credentials.services import card_issue
    from entezam.personnel.models import Employment
    from tests.training.factories import CertificateFactory

    course = CourseFactory(mandatory_for=["guard"])
    person = approved_applicant(world.inst_a)
    CertificateFactory(person=person, course=course)
    card = card_issue(actor=world.manager, employment=Employment.objects.get(person=person))
    page = browser_page
    page.goto(f"{page.base_url}/cards/offline/")
    page.wait_for_selector(".offline-list:not(:empty)", state="attached")
    page.fill("#offline-input", qr_url(card))
    page.click("button.offline-check")
    page.wait_for_selector(".offline-result[data-result]", state="attached")
    assert page.locator(".offline-result").get_attribute("data-result") == "valid"
    assert person.last_name in page.locator(".offline-result").inner_text()
    body, signature = qr_url(card).split("#c=")[1].split(".")
    page.fill("#offline-input", body[:-4] + "AAAA." + signature)
    page.click("button.offline-check")
    page.wait_for_function("document.querySelector('.offline-result').dataset.result === 'invalid'")
    assert page.js_errors == []
