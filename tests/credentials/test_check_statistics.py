"""The record of public checks, read back: per day and result for the cards in the
reader's scope; unknown tokens and the busiest addresses for national readers only; other
roles are refused."""

import datetime

import pytest
from django.utils import timezone

from entezam.credentials.models import Card, VerificationCheck
from tests.permissions import web
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db


def card_at(institution, number):
    employment = EmploymentFactory(institution=institution, position="guard")
    today = timezone.localdate()
    return Card.objects.create(
        person=employment.person,
        institution=institution,
        employment=employment,
        position="guard",
        number=number,
        token=f"token-{number}-0123456789abcdef",
        issued_on=today,
        expires_on=today + datetime.timedelta(days=300),
    )


@pytest.fixture
def checks(world):
    card_a = card_at(world.inst_a, "23-0000001")
    card_b = card_at(world.inst_b, "24-0000001")
    now = timezone.now()
    rows = [
        (card_a, "active", "a" * 64, now),
        (card_a, "active", "a" * 64, now - datetime.timedelta(days=2)),
        (card_a, "suspended", "b" * 64, now),
        (card_b, "revoked", "c" * 64, now),
        (None, "unknown", "d" * 64, now),
        (None, "unknown", "d" * 64, now),
        (None, "unknown", "d" * 64, now),
        (card_a, "active", "e" * 64, now - datetime.timedelta(days=40)),  # out of the window
    ]
    VerificationCheck.objects.bulk_create(
        VerificationCheck(card=card, result=result, ip_hash=hashed, time=time)
        for card, result, hashed, time in rows
    )
    return card_a, card_b


def page(client, user):
    return client.get("/cards/checks/") if user is None else web(client, user).get("/cards/checks/")


def test_hq_sees_every_check_and_the_busiest_addresses(client, world, checks):
    response = page(client, world.hq_admin)
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.total == 7
    assert stats.totals == {
        "active": 2,
        "suspended": 1,
        "revoked": 1,
        "expired": 0,
        "replaced": 0,
        "unknown": 3,
    }
    assert [a["ip_hash"][:1] for a in stats.busiest][:2] == ["d", "a"]
    assert stats.busiest[0]["unknown"] == 3 and stats.busiest[0]["cards"] == 0
    body = response.content.decode()
    assert 'data-testid="busiest-addresses"' in body and "dddddddddddd" in body
    assert "d" * 13 not in body  # only the hash's first 12 characters
    assert 'data-testid="checks-total">۷<' in body


def test_a_province_sees_only_its_cards_and_no_addresses(client, world, checks):
    response = page(client, world.province_officer)
    stats = response.context["stats"]
    assert stats.total == 3 and stats.totals["revoked"] == 0 and stats.totals["unknown"] == 0
    assert not stats.busiest
    assert 'data-testid="busiest-addresses"' not in response.content.decode()


def test_a_manager_sees_the_checks_of_their_own_cards(client, world, checks):
    stats = page(client, world.manager).context["stats"]
    assert stats.total == 3
    # The other institution's manager sees none of them.
    from tests.accounts.factories import user_with_role

    other = user_with_role("institution_manager", world.inst_b, username="m_b")
    stats = page(client, other).context["stats"]
    assert stats.total == 1 and stats.totals["revoked"] == 1


def test_the_days_run_to_today(client, world, checks):
    stats = page(client, world.hq_admin).context["stats"]
    assert len(stats.days) == 30
    assert stats.days[-1]["date"] == timezone.localdate()
    assert stats.days[-1]["total"] == 6 and stats.days[-3]["active"] == 1


@pytest.mark.parametrize("role", ["operator", "trainer"])
def test_other_roles_are_refused(client, world, checks, role):
    assert page(client, getattr(world, role)).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, checks):
    response = page(client, None)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
