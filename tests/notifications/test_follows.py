"""Following a record, the follow button, and notify_followers called the way a domain
service calls it (through a tiny fake of the institutions' status change)."""

import pytest
from django.http import Http404

from entezam.notifications.models import Follow, Notification
from entezam.notifications.services import follow, notify_followers, unfollow

from .fakes import institution_status_changed

pytestmark = pytest.mark.django_db


def test_follow_twice_is_one_follow_and_unfollow_ends_it(world):
    follow(actor=world.manager, obj=world.inst_a)
    follow(actor=world.manager, obj=world.inst_a)
    assert Follow.objects.filter(user=world.manager).count() == 1
    assert unfollow(actor=world.manager, obj=world.inst_a) is True
    assert unfollow(actor=world.manager, obj=world.inst_a) is False


def test_a_record_outside_ones_scope_cannot_be_followed(world):
    with pytest.raises(Http404):
        follow(actor=world.manager, obj=world.inst_b)


def test_followers_are_notified_of_a_change_except_who_made_it(world):
    for user in (world.manager, world.station_officer, world.province_officer, world.hq_admin):
        follow(actor=user, obj=world.inst_a)

    created = institution_status_changed(
        actor=world.province_officer, institution=world.inst_a, new_status="suspended"
    )

    assert {n.recipient for n in created} == {world.manager, world.station_officer, world.hq_admin}
    notification = Notification.objects.get(recipient=world.manager)
    assert notification.title == "وضعیت موسسه «موسسه حفاظتی امین» به «تعلیق» تغییر کرد"
    assert "۱۴۰۴/۰۹/۱۱" in notification.body
    assert notification.url == world.inst_a.get_absolute_url()
    assert (notification.object_type, notification.object_id) == (
        "institutions.institution",
        str(world.inst_a.pk),
    )


def test_a_follower_who_no_longer_sees_the_record_is_not_told(world):
    follow(actor=world.station_officer, obj=world.inst_a)
    world.inst_a.supervising_unit = world.station_a2
    world.inst_a.save(update_fields=["supervising_unit"])

    assert notify_followers(obj=world.inst_a, event="follow.update", title="تغییر") == []


def test_the_follow_button_follows_and_unfollows(client, world):
    from django.template import Context, RequestContext, Template
    from django.test import RequestFactory

    request = RequestFactory().get(f"/institutions/{world.inst_a.pk}/")
    request.user = world.manager
    template = Template("{% load notifications %}{% follow_button object %}")
    html = template.render(RequestContext(request, {"object": world.inst_a}))
    assert 'value="follow"' in html and 'name="model" value="institutions.institution"' in html

    client.force_login(world.manager)
    data = {
        "model": "institutions.institution",
        "pk": world.inst_a.pk,
        "action": "follow",
        "next": "/institutions/",
    }
    response = client.post("/notifications/follow/", data)
    assert response.status_code == 302 and response["Location"] == "/institutions/"
    assert Follow.objects.filter(user=world.manager).count() == 1

    html = template.render(RequestContext(request, {"object": world.inst_a}))
    assert 'value="unfollow"' in html

    response = client.post(
        "/notifications/follow/", {**data, "action": "unfollow"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'value="follow"' in response.content.decode()
    assert not Follow.objects.exists()
    # Outside the page's request nothing is shown.
    assert template.render(Context({"object": world.inst_a})).strip() == ""


def test_following_a_record_outside_ones_scope_or_not_a_record_is_404(client, world):
    client.force_login(world.manager)
    for data in (
        {"model": "institutions.institution", "pk": world.inst_b.pk},
        {"model": "institutions.nothing", "pk": 1},
        {"model": "auth.group", "pk": 1},
        {"model": "institutions.institution", "pk": "x"},
        {"model": "", "pk": ""},
    ):
        assert client.post("/notifications/follow/", data).status_code == 404, data
    assert not Follow.objects.exists()
