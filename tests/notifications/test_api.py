"""/api/v1/notifications/: the caller's own notifications only; another's is 404."""

import pytest
from rest_framework.test import APIClient

from entezam.notifications.models import Notification
from entezam.notifications.services import notify

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _notify(user, n=1):
    for i in range(n):
        notify(
            recipients=[user], event="announcement", title=f"اطلاعیه {i + 1}", url="/institutions/"
        )
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def test_the_list_has_only_ones_own_newest_first_with_jalali_times(world):
    mine = _notify(world.manager, 2)
    _notify(world.station_officer, 3)
    body = _api(world.manager).get("/api/v1/notifications/").json()
    assert [row["id"] for row in body["results"]] == [mine[1].pk, mine[0].pk]
    row = body["results"][0]
    assert row["title"] == "اطلاعیه ۲" and row["unread"] is True and row["event"] == "announcement"
    assert row["created_at_jalali"][:2] == "14" and row["read_at"] is None


def test_the_unread_filter(world):
    first, second = _notify(world.manager, 2)
    Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    client = _api(world.manager)
    assert [
        r["id"] for r in client.get("/api/v1/notifications/?unread=true").json()["results"]
    ] == [second.pk]
    assert [
        r["id"] for r in client.get("/api/v1/notifications/?unread=false").json()["results"]
    ] == [first.pk]


def test_read_one_and_read_all(world):
    first, _second, _third = _notify(world.manager, 3)
    (foreign,) = _notify(world.station_officer)
    client = _api(world.manager)

    response = client.post(f"/api/v1/notifications/{first.pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_another_users_notification_is_404(world):
    (foreign,) = _notify(world.station_officer)
    client = _api(world.manager)
    assert client.get(f"/api/v1/notifications/{foreign.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{foreign.pk}/read/").status_code == 404
    assert client.post("/api/v1/notifications/abc/read/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_the_api_needs_a_signed_in_user_and_offers_no_other_writes(world):
    assert APIClient().get("/api/v1/notifications/").status_code in (401, 403)
    (mine,) = _notify(world.manager)
    client = _api(world.manager)
    assert client.post("/api/v1/notifications/", {"title": "x"}).status_code == 405
    assert client.patch(f"/api/v1/notifications/{mine.pk}/", {"title": "x"}).status_code == 405
    assert client.delete(f"/api/v1/notifications/{mine.pk}/").status_code == 405
