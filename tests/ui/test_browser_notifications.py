"""A manager sees the bell's count, opens its menu and the list, and marks all read; the
pages are shot in Persian and in English (test-results/notifications-*.png)."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from entezam.notifications.models import Notification
from entezam.notifications.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _seed(world):
    (old,) = notify(
        recipients=[world.manager],
        event="announcement",
        title="به سامانه انتظام خوش آمدید",
        body="اعلان‌های شما اینجا می‌آیند.",
    )
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3),
        read_at=timezone.now() - datetime.timedelta(days=2),
    )
    items = [
        (
            "announcement",
            "مهلت دوماهه تهیه و ابلاغ شیوه‌نامه همکاری",
            "شیوه‌نامه همکاری باید ظرف 2 ماه به همه موسسات ابلاغ شود.",
            True,
            30,
        ),
        (
            "follow.update",
            "وضعیت موسسه «موسسه حفاظتی امین» به «فعال» تغییر کرد",
            "مجوز موسسه تا 1405/06/31 معتبر است.",
            False,
            5,
        ),
        (
            "assignment",
            "بررسی پرونده گزینش 12 نفر به شما ارجاع شد",
            "پرونده‌ها را تا پایان هفته بررسی کنید.",
            True,
            1,
        ),
    ]
    for event, title, body, urgent, hours in items:
        (notification,) = notify(
            recipients=[world.manager],
            event=event,
            title=title,
            body=body,
            url="/notifications/",
            urgent=urgent,
        )
        Notification.objects.filter(pk=notification.pk).update(
            created_at=timezone.now() - datetime.timedelta(hours=hours)
        )


def _shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"notifications-{name}.png"), full_page=False)


def test_manager_sees_the_bell_opens_the_list_and_marks_all_read(world, browser_page):
    _seed(world)
    page = browser_page
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "pw-Entezam-1404")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{page.base_url}/")

    badge = page.locator("#notification-bell .notification-count")
    assert badge.inner_text() == "۳"
    page.click("#notification-bell")
    menu = page.locator("#notification-menu")
    menu.locator("text=همه اعلان‌ها").wait_for()
    assert menu.locator("button[type=submit].list-group-item").count() == 4
    assert "بررسی پرونده گزینش ۱۲ نفر به شما ارجاع شد" in menu.inner_text()
    _shoot(page, "menu-fa")

    menu.locator("text=همه اعلان‌ها").click()
    page.wait_for_url(f"{page.base_url}/notifications/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("[data-notification]").count() == 4
    _shoot(page, "list-fa")

    page.click("[data-testid=read-all]")
    page.wait_for_selector("text=همه اعلان‌ها خوانده شد.")
    assert page.locator("#notification-bell .notification-count").count() == 0
    assert not Notification.objects.filter(recipient=world.manager, read_at=None).exists()

    page.goto(f"{page.base_url}/notifications/preferences/")
    page.select_option("select[name=general__email]", "all")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_selector("text=تنظیمات اعلان‌های شما ذخیره شد.")
    _shoot(page, "preferences-fa")

    # English: the same pages, left to right.
    page.locator(".language-switcher button[value=en]").first.click()
    page.wait_for_selector("html[lang=en]")
    _shoot(page, "preferences-en")
    Notification.objects.filter(recipient=world.manager).exclude(title__contains="خوش").update(
        read_at=None
    )
    page.goto(f"{page.base_url}/notifications/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    _shoot(page, "list-en")
    page.click("#notification-bell")
    page.locator("#notification-menu").locator("text=All notifications").wait_for()
    _shoot(page, "menu-en")
    assert page.js_errors == []
