"""Each role's home shows its own work; an expired licence is a warning state everywhere."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from entezam.institutions.models import Institution
from tests.personnel.factories import EmploymentFactory


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 200
    return response.content.decode()


def _lapse(institution):
    Institution.objects.filter(pk=institution.pk).update(
        licence_expires_on=timezone.localdate() - datetime.timedelta(days=3)
    )


@pytest.mark.django_db
def test_hq_home_counts_an_expired_licence_apart_from_active(client, world):
    _lapse(world.inst_b)
    page = _home(client, world.hq_admin)
    assert 'id="status-chart"' in page
    assert "فعالیت با مجوز منقضی‌شده" in page
    assert "فعال — مجوز منقضی‌شده" in page
    # The "see all" link leads to the list of every expired or expiring licence.
    assert "?licence_expiring=true&amp;sort=licence_expires_on" in page


@pytest.mark.django_db
def test_province_officer_home_lists_their_institutions_only(client, world):
    page = _home(client, world.province_officer)
    assert "موسسات شما" in page
    assert world.inst_a.name in page and world.inst_a2.name in page
    assert world.inst_b.name not in page
    assert 'id="status-chart"' not in page


@pytest.mark.django_db
def test_manager_home_shows_staff_against_authorised_headcount(client, world):
    for _ in range(3):
        EmploymentFactory(institution=world.inst_a)
    page = _home(client, world.manager)
    assert "۳ از ۵۰ نفر مجاز" in page
    assert 'id="status-chart"' not in page
    assert world.inst_b.name not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "shows"),
    [("trainer", "کلاس‌های من"), ("operator", "پیام‌های مردمی در انتظار دسته‌بندی")],
)
def test_trainer_and_operator_homes_show_their_own_work(client, world, role, shows):
    """Their tools exist now: the home shows them, not a promise of tools to come."""
    page = _home(client, getattr(world, role))
    assert shows in page
    assert "این ابزارها با آماده شدن در همین صفحه باز می‌شوند" not in page
    assert 'id="status-chart"' not in page


@pytest.mark.django_db
def test_list_and_detail_show_the_expired_licence_beside_the_status(client, world):
    _lapse(world.inst_a)
    client.force_login(world.hq_admin)
    listing = client.get("/institutions/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    detail = client.get(world.inst_a.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fa")
    assert listing.count("licence-lapsed") == 1
    assert "licence-lapsed" in detail.content.decode()


@pytest.mark.django_db
def test_director_code_is_masked_for_roles_that_may_not_read_codes(client, world):
    Institution.objects.filter(pk=world.inst_a.pk).update(
        managing_director_national_code="0013542419"
    )
    client.force_login(world.station_officer)
    page = client.get(world.inst_a.get_absolute_url()).content.decode()
    assert "۰۰۱۳***۴۱۹" in page and "۰۰۱۳۵۴۲۴۱۹" not in page
    client.force_login(world.province_officer)
    page = client.get(world.inst_a.get_absolute_url()).content.decode()
    assert "۰۰۱۳۵۴۲۴۱۹" in page


@pytest.mark.django_db
def test_director_code_in_the_history_follows_the_same_rule(client, world):
    from entezam.core import audit

    audit.record(
        actor=world.hq_admin,
        action="institution.update",
        obj=world.inst_a,
        changes={"managing_director_national_code": ["", "0013542419"]},
    )
    client.force_login(world.station_officer)
    page = client.get(world.inst_a.get_absolute_url()).content.decode()
    assert "0013***419" in page and "0013542419" not in page
    client.force_login(world.province_officer)
    page = client.get(world.inst_a.get_absolute_url()).content.decode()
    assert "0013542419" in page


@pytest.mark.django_db
def test_institution_page_shows_its_staff_and_applications(client, world):
    employment = EmploymentFactory(institution=world.inst_a)
    client.force_login(world.province_officer)
    page = client.get(world.inst_a.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert str(employment.person) in page
    assert "۱ از ۵۰ نفر مجاز" in page
    assert "پرونده‌های گزینش" in page or "Selection applications" in page


@pytest.mark.django_db
def test_provincial_command_page_lists_the_institutions_below_it(client, world):
    from tests.geo.factories import PoliceUnitFactory

    command = PoliceUnitFactory(province=world.province_a, kind="provincial_command", parent=None)
    world.station_a.parent = command
    world.station_a.save()
    client.force_login(world.hq_admin)
    page = client.get(command.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert world.inst_a.name in page and world.inst_b.name not in page
    assert "<table" in page and world.station_a.name in page  # sub-units as a table
