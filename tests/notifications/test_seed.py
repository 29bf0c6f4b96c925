"""The demo step gives the demo users something in their bell, once."""

import random

import pytest

from entezam.notifications.models import Follow, Notification
from entezam.notifications.seed import demo_seed
from tests.accounts.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_demo_notifications_are_created_once(world):
    # `world` already has the demo's station officer ("station") and manager ("manager").
    users = {
        "admin": user_with_role("hq_admin", username="admin"),
        "tehran": user_with_role("province_officer", world.province_a, username="tehran"),
        "station": world.station_officer,
        "manager": world.manager,
    }

    message = demo_seed(actor=None, rng=random.Random(1), options={})
    again = demo_seed(actor=None, rng=random.Random(1), options={})

    assert message.startswith("notifications: ") and again == "notifications: 0 demo notifications"
    counts = {
        name: Notification.objects.filter(recipient=user).count() for name, user in users.items()
    }
    assert counts == {"admin": 2, "tehran": 2, "station": 2, "manager": 2}
    assert Notification.objects.filter(recipient=users["admin"], read_at__isnull=True).count() == 1
    assert Follow.objects.filter(user=users["manager"]).count() == 1
    title = (
        Notification.objects.filter(recipient=users["manager"], object_id=str(world.inst_a.pk))
        .get()
        .title
    )
    assert "موسسه حفاظتی امین" in title and not any(c.isascii() and c.isdigit() for c in title)


def test_without_demo_users_it_says_so(db):
    assert "no demo users" in demo_seed(actor=None, rng=random.Random(1), options={})
