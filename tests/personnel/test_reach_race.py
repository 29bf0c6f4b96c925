"""A link and a move of the same institution at the same moment, in two PostgreSQL
sessions: whichever commits first, every reach row ends with the institution's new
province and station (links and moves share an advisory lock per institution); an
ordinary edit of the institution is not held up by a link in progress."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction

from entezam.institutions import services as institution_services
from entezam.institutions.models import Institution
from entezam.personnel import services
from entezam.personnel.models import PersonReach
from tests.personnel.factories import PersonFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the advisory locks two sessions meet on are PostgreSQL's: the PostgreSQL pass",
    ),
]

WAIT = 10  # seconds: a bound for a step that should take milliseconds


class Session(threading.Thread):
    """`steps` in a transaction of its own connection, holding it open after `hold_at`
    is reached until `release` is set; an exception is kept for the test to raise."""

    def __init__(self, work, *, hold: bool):
        super().__init__(daemon=True)
        self.work = work
        self.hold = hold
        self.reached = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            with transaction.atomic():
                self.work()
                self.reached.set()
                if self.hold:
                    assert self.release.wait(WAIT), "never released"
        except BaseException as error:  # re-raised in the test
            self.error = error
        finally:
            self.reached.set()
            connection.close()

    def finish(self):
        self.release.set()
        self.join(WAIT)
        assert not self.is_alive(), "still waiting for a lock"
        if self.error is not None:
            raise self.error


def _link(world, person):
    def work():
        services.employment_start(
            actor=world.hq_admin,
            person=person,
            # The instance read before the move: its province is the old one.
            institution=Institution.objects.get(pk=world.inst_a.pk),
            position="guard",
            start_date=datetime.date(2024, 1, 1),
        )

    return work


def _move(world):
    def work():
        institution_services.institution_update(
            actor=world.hq_admin,
            institution=Institution.objects.get(pk=world.inst_a.pk),
            province=world.province_b,
            county=None,
            supervising_unit=world.station_b,
        )

    return work


def _scopes(person) -> set:
    return set(
        PersonReach.objects.filter(person=person).values_list("province", "supervising_unit")
    )


@pytest.mark.parametrize(
    "first", ["link", "move"], ids=["move during a link", "link during a move"]
)
def test_the_second_waits_for_the_first_and_every_row_ends_in_the_new_scope(world, first):
    person = PersonFactory()
    work = {"link": _link(world, person), "move": _move(world)}
    second = "move" if first == "link" else "link"
    holder = Session(work[first], hold=True)
    holder.start()
    assert holder.reached.wait(WAIT)
    waiter = Session(work[second], hold=False)
    waiter.start()
    waiter.join(0.5)
    assert waiter.is_alive(), f"the {second} did not wait for the {first}'s transaction"
    holder.finish()
    waiter.finish()
    assert _scopes(person) == {(world.province_b.pk, world.station_b.pk)}


def test_an_edit_that_moves_nothing_does_not_wait_for_a_link(world):
    person = PersonFactory()
    link = Session(_link(world, person), hold=True)
    link.start()
    assert link.reached.wait(WAIT)

    def rename():
        institution_services.institution_update(
            actor=world.hq_admin,
            institution=Institution.objects.get(pk=world.inst_a.pk),
            phone="02188776655",
        )

    edit = Session(rename, hold=False)
    edit.start()
    edit.join(WAIT)
    assert not edit.is_alive(), "the edit waited for the link's transaction"
    edit.finish()
    link.finish()
    assert Institution.objects.get(pk=world.inst_a.pk).phone == "02188776655"
    assert _scopes(person) == {(world.province_a.pk, world.station_a.pk)}
