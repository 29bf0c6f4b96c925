"""notify(): idempotent through the dedupe key, preferences respected, addresses, text."""

import pytest
from django.core import mail

from entezam.notifications.models import Delivery, Notification, Preference
from entezam.notifications.selectors import users_with_role
from entezam.notifications.services import notify, notify_assignee, preference_set

from . import fakes

pytestmark = pytest.mark.django_db


def _urgent(world, **kwargs):
    return notify(
        recipients=[world.manager],
        event="announcement",
        title="مهلت تأیید دریافت شیوه‌نامه 3 روز دیگر است",
        body="شیوه‌نامه همکاری را تا 1404/09/14 تأیید کنید.",
        url="/institutions/",
        urgent=True,
        **kwargs,
    )


def test_the_same_dedupe_key_twice_is_one_notification_and_one_delivery_per_channel(
    reachable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _urgent(reachable, dedupe_key="reminder:1:3d")
    with django_capture_on_commit_callbacks(execute=True):
        second = _urgent(reachable, dedupe_key="reminder:1:3d")

    assert len(first) == 1 and second == []
    assert Notification.objects.filter(recipient=reachable.manager).count() == 1
    deliveries = Delivery.objects.filter(notification=first[0])
    assert sorted(deliveries.values_list("channel", "status")) == [
        ("email", "sent"),
        ("sms", "sent"),
    ]
    assert len(mail.outbox) == 1 and len(fakes.SENT) == 1


def test_without_a_dedupe_key_each_call_notifies(reachable):
    _urgent(reachable)
    _urgent(reachable)
    assert Notification.objects.filter(recipient=reachable.manager).count() == 2


def test_a_dedupe_key_is_per_recipient(reachable):
    notify(
        recipients=[reachable.manager],
        event="announcement",
        title="t",
        dedupe_key="k",
    )
    created = notify(
        recipients=[reachable.manager, reachable.station_officer, reachable.station_officer],
        event="announcement",
        title="t",
        dedupe_key="k",
    )
    assert [n.recipient for n in created] == [reachable.station_officer]


def test_persian_text_gets_persian_digits_and_the_link_stays_ascii(reachable):
    (notification,) = _urgent(reachable)
    assert notification.title == "مهلت تأیید دریافت شیوه‌نامه ۳ روز دیگر است"
    assert "۱۴۰۴/۰۹/۱۴" in notification.body
    assert notification.url == "/institutions/"


def test_by_default_only_urgent_events_go_by_email_and_sms(reachable):
    (plain,) = notify(recipients=[reachable.manager], event="announcement", title="اطلاعیه")
    (urgent,) = _urgent(reachable)
    (assigned,) = notify(recipients=[reachable.manager], event="assignment", title="ارجاع")

    assert not plain.deliveries.exists()
    assert set(urgent.deliveries.values_list("channel", flat=True)) == {"email", "sms"}
    # "assignment" is registered as urgent.
    assert assigned.urgent and assigned.deliveries.count() == 2


def test_preferences_switch_channels_per_category_and_per_event(reachable):
    manager = reachable.manager
    preference_set(actor=manager, category="general", channel="sms", enabled=False)
    preference_set(actor=manager, category="general", channel="email", enabled=True)
    preference_set(actor=manager, event="assignment", channel="sms", enabled=False)

    (urgent,) = _urgent(reachable)
    (plain,) = notify(recipients=[manager], event="announcement", title="اطلاعیه")
    (assigned,) = notify(recipients=[manager], event="assignment", title="ارجاع")

    assert set(urgent.deliveries.values_list("channel", flat=True)) == {"email"}
    assert set(plain.deliveries.values_list("channel", flat=True)) == {"email"}
    assert set(assigned.deliveries.values_list("channel", flat=True)) == {"email"}
    # Back to the default: urgent again goes by SMS.
    preference_set(actor=manager, category="general", channel="sms", enabled=None)
    (again,) = _urgent(reachable)
    assert "sms" in set(again.deliveries.values_list("channel", flat=True))
    assert not Preference.objects.filter(user=manager, category="general", channel="sms").exists()


def test_no_address_is_a_skipped_delivery_with_the_reason(world):
    (notification,) = _urgent(world)
    assert sorted(notification.deliveries.values_list("channel", "status", "error_code")) == [
        ("email", "skipped", "no_email"),
        ("sms", "skipped", "no_mobile"),
    ]


def test_inactive_users_and_unknown_events_are_refused(world):
    world.trainer.is_active = False
    world.trainer.save(update_fields=["is_active"])
    assert notify(recipients=[world.trainer, None], event="announcement", title="x") == []
    with pytest.raises(ValueError, match="register_event"):
        notify(recipients=[world.manager], event="no.such.event", title="x")


def test_notify_points_at_the_object_and_its_page(world):
    (notification,) = notify(
        recipients=[world.manager], event="announcement", title="x", obj=world.inst_a
    )
    assert notification.object_type == "institutions.institution"
    assert notification.object_id == str(world.inst_a.pk)
    assert notification.url == world.inst_a.get_absolute_url()


def test_assignment_notifies_the_assignee_but_not_who_assigned_themselves(world):
    assert notify_assignee(
        assignee=world.station_officer,
        obj=world.inst_a,
        title="بازرسی به شما ارجاع شد",
        actor=world.province_officer,
    )
    assert (
        notify_assignee(
            assignee=world.station_officer, obj=world.inst_a, title="x", actor=world.station_officer
        )
        == []
    )
    assert Notification.objects.get(recipient=world.station_officer).event == "assignment"


def test_users_with_role_by_scope_object(world):
    assert list(users_with_role("institution_manager", institution=world.inst_a)) == [world.manager]
    assert list(users_with_role("institution_manager", institution=world.inst_b)) == []
    assert list(users_with_role("province_officer", province=world.province_a.pk)) == [
        world.province_officer
    ]
    assert list(users_with_role("station_officer", police_unit=world.station_a)) == [
        world.station_officer
    ]
    assert list(users_with_role("hq_admin")) == [world.hq_admin]
    assignment = world.manager.role_assignments.get()
    assignment.is_active = False
    assignment.save(update_fields=["is_active"])
    assert list(users_with_role("institution_manager", institution=world.inst_a)) == []
