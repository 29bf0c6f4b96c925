"""The bell on every page, the list with its filters, read marks (only one's own), the
export, the preferences page and HQ's deliveries page."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from entezam.notifications.models import Delivery, Notification, Preference
from entezam.notifications.services import notify

pytestmark = pytest.mark.django_db


def _notify(user, n=1, **kwargs):
    for i in range(n):
        notify(
            recipients=[user],
            event="announcement",
            title=f"اطلاعیه شماره {i + 1}",
            body="متن اطلاعیه",
            **kwargs,
        )
    return Notification.objects.filter(recipient=user)


def _bell_count(html: str) -> str | None:
    match = re.search(r'class="[^"]*notification-count[^"]*" data-count="(\d+)">([^<]+)<', html)
    return match.group(2) if match else None


def test_the_bell_shows_the_unread_count_in_persian_digits_on_every_page(client, world):
    _notify(world.manager, 3)
    _notify(world.station_officer, 5)
    client.force_login(world.manager)
    for url in ("/", "/institutions/", "/notifications/"):
        assert _bell_count(client.get(url).content.decode()) == "۳", url


def test_the_bell_counts_up_to_99(client, world):
    _notify(world.manager, 101)
    client.force_login(world.manager)
    assert _bell_count(client.get("/notifications/").content.decode()) == "۹۹+"


def test_no_unread_no_badge(client, world):
    client.force_login(world.manager)
    html = client.get("/").content.decode()
    assert 'id="notification-bell"' in html and _bell_count(html) is None


def test_the_bell_costs_the_same_queries_whatever_the_number_of_notifications(client, world):
    client.force_login(world.manager)
    _notify(world.manager, 2)
    with CaptureQueriesContext(connection) as few:
        client.get("/institutions/")
    _notify(world.manager, 60)
    with CaptureQueriesContext(connection) as many:
        client.get("/institutions/")
    assert len(few) == len(many)
    bell = [q["sql"] for q in many if "notifications_notification" in q["sql"]]
    assert len(bell) == 1 and "COUNT" in bell[0].upper()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's planner")
def test_the_bell_count_reads_the_partial_index_of_unread_rows(world):
    """A user with thousands of read notifications and a few unread: the count reads the
    few index entries of the unread ones, not every row of the user."""
    from django.utils import timezone

    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(recipient=world.manager, event="announcement", title="old", read_at=now)
        for _ in range(5000)
    )
    _notify(world.manager, 3)
    query = Notification.objects.filter(recipient=world.manager, read_at__isnull=True)[:100]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_notification")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) sub", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notification_unread" in plan, plan


def test_the_menu_lists_the_latest_few(client, world):
    _notify(world.manager, 10)
    client.force_login(world.manager)
    html = client.get(
        "/notifications/menu/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/institutions/",
    ).content.decode()
    assert html.count('name="open"') == 8
    assert "اطلاعیه شماره ۱۰" in html and "اطلاعیه شماره ۲<" not in html
    assert 'value="http://testserver/institutions/"' in html


def test_the_list_filters_read_and_unread(client, world):
    first, _second = _notify(world.manager, 2).order_by("id")
    Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    client.force_login(world.manager)

    def titles(query):
        return [n.title for n in client.get(f"/notifications/{query}").context["notifications"]]

    assert titles("") == ["اطلاعیه شماره ۲", "اطلاعیه شماره ۱"]
    assert titles("?read=unread") == ["اطلاعیه شماره ۲"]
    assert titles("?read=read") == ["اطلاعیه شماره ۱"]
    assert titles("?read=nonsense") == ["اطلاعیه شماره ۲", "اطلاعیه شماره ۱"]


def test_the_list_shows_only_ones_own(client, world):
    _notify(world.station_officer, 2)
    client.force_login(world.manager)
    assert list(client.get("/notifications/").context["notifications"]) == []


def test_mark_read_and_open(client, world):
    (notification,) = _notify(world.manager, url="/institutions/")
    client.force_login(world.manager)
    response = client.post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/institutions/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_goes_back_only_to_this_site(client, world):
    (notification,) = _notify(world.manager)
    client.force_login(world.manager)
    response = client.post(
        f"/notifications/{notification.pk}/read/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/notifications/"


def test_another_users_notification_is_404_and_stays_unread(client, world):
    (notification,) = _notify(world.station_officer)
    client.force_login(world.manager)
    assert client.post(f"/notifications/{notification.pk}/read/").status_code == 404
    assert client.post("/notifications/%D9%A1/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_ones_own(client, world):
    _notify(world.manager, 3)
    _notify(world.station_officer, 2)
    client.force_login(world.manager)
    response = client.post("/notifications/read-all/", {"next": "/institutions/"})
    assert response["Location"] == "/institutions/"
    assert not Notification.objects.filter(recipient=world.manager, read_at=None).exists()
    assert Notification.objects.filter(recipient=world.station_officer, read_at=None).count() == 2


def test_reads_need_a_post(client, world):
    (notification,) = _notify(world.manager)
    client.force_login(world.manager)
    assert client.get(f"/notifications/{notification.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405


def test_signed_out_users_are_sent_to_sign_in(client):
    assert client.get("/notifications/").status_code == 302


def test_the_export_is_an_xlsx_of_ones_own_list(client, world):
    _notify(world.manager, 2)
    Notification.objects.filter(recipient=world.manager).update(title='=HYPERLINK("x")')
    _notify(world.station_officer, 1)
    client.force_login(world.manager)
    response = client.get("/notifications/export.xlsx?read=unread")
    assert response.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = workbook.get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["زمان", "رویداد", "عنوان"]
    assert len(rows) == 3
    assert rows[1][2] == '\'=HYPERLINK("x")'  # never a formula
    assert re.fullmatch(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}", rows[1][0])


def test_preferences_page_saves_per_category_choices(client, world):
    client.force_login(world.manager)
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    assert "general__email" in page.context["form"].fields
    data = {name: "default" for name in page.context["form"].fields}
    data.update({"general__sms": "none", "follows__email": "all"})

    response = client.post("/notifications/preferences/", data)

    assert response.status_code == 302
    assert set(
        Preference.objects.filter(user=world.manager).values_list("category", "channel", "enabled")
    ) == {
        ("general", "sms", False),
        ("follows", "email", True),
    }
    again = client.get("/notifications/preferences/").context["form"]
    assert again["general__sms"].value() == "none" and again["follows__email"].value() == "all"


def test_preferences_page_refuses_an_unknown_choice(client, world):
    client.force_login(world.manager)
    response = client.post("/notifications/preferences/", {"general__sms": "sometimes"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Preference.objects.exists()


def test_hq_sees_failed_deliveries_with_the_reason_and_others_may_not(client, world):
    notify(recipients=[world.manager], event="announcement", title="فوری", urgent=True)
    Delivery.objects.filter(channel="sms").update(
        status="failed", error_code="sms_rejected", error="411 گیرنده نامعتبر است"
    )
    client.force_login(world.hq_admin)
    html = client.get("/notifications/deliveries/").content.decode()
    assert "411 گیرنده نامعتبر است" in html and "درگاه پیامک پیام را نپذیرفت" in html
    client.force_login(world.province_officer)
    assert client.get("/notifications/deliveries/").status_code == 403
    delivery = Delivery.objects.get(channel="sms")
    assert client.post(f"/notifications/deliveries/{delivery.pk}/retry/").status_code == 404
