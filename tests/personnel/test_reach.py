"""The reach table stays right as people are linked to institutions, whichever way: the
services, the roster import (COPY on PostgreSQL, the ORM elsewhere), employments that end,
institutions that move; and `entezam reach rebuild` recomputes it."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from entezam.institutions import services as institution_services
from entezam.personnel import services
from entezam.personnel.models import Person, PersonReach
from entezam.personnel.reach import reach_rebuild
from entezam.roster.choices import Mode
from entezam.roster.services import roster_import
from entezam.vetting import services as vetting_services
from tests.accounts.factories import user_with_role
from tests.personnel.factories import PersonFactory
from tests.roster.files import active_standards, roster_rows, write_csv
from tests.vetting.factories import StandardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard_standard(db):
    return StandardFactory(code="GUARD", version=1)


def _seen_by(user) -> set:
    return set(Person.objects.visible_to(user).values_list("pk", flat=True))


def test_an_employment_started_by_the_service_reaches_the_person(world):
    person = PersonFactory()
    assert person.pk not in _seen_by(world.manager)
    services.employment_start(
        actor=world.hq_admin,
        person=person,
        institution=world.inst_a,
        position="guard",
        start_date=datetime.date(2024, 1, 1),
    )
    assert person.pk in _seen_by(world.manager)
    assert person.pk in _seen_by(world.station_officer)
    assert person.pk in _seen_by(world.province_officer)
    other = PersonFactory()
    assert other.pk not in _seen_by(world.manager)


def test_an_ended_employment_still_reaches_but_no_longer_edits(world):
    person = PersonFactory()
    employment = services.employment_start(
        actor=world.hq_admin,
        person=person,
        institution=world.inst_a,
        position="guard",
        start_date=datetime.date(2024, 1, 1),
    )
    services.employment_end(
        actor=world.hq_admin,
        employment=employment,
        end_date=datetime.date(2025, 1, 1),
        reason="resigned",
    )
    assert person.pk in _seen_by(world.manager)
    assert not Person.objects.visible_to(world.manager, "change").filter(pk=person.pk).exists()


def test_an_application_reaches_only_its_institution(world, guard_standard):
    person = PersonFactory(applicant=True)
    vetting_services.application_open(
        actor=world.manager, person=person, institution=world.inst_a, position="guard"
    )
    assert person.pk in _seen_by(world.manager)
    assert person.pk in _seen_by(world.station_officer)  # inst_a is under station A
    foreign = user_with_role("institution_manager", world.inst_b)
    assert person.pk not in _seen_by(foreign)


def test_a_roster_import_reaches_its_people_and_no_one_else(world, tmp_path):
    active_standards()
    path = write_csv(tmp_path / "roster.csv", roster_rows(30))
    report = roster_import(actor=world.manager, institution=world.inst_a, path=path)
    assert report.created == 30
    imported = set(Person.objects.values_list("pk", flat=True))
    assert _seen_by(world.manager) >= imported
    assert not (_seen_by(user_with_role("institution_manager", world.inst_b)) & imported)
    assert PersonReach.objects.filter(source="vetting.application").count() == 30


def test_a_dry_run_links_no_one(world, tmp_path):
    active_standards()
    path = write_csv(tmp_path / "roster.csv", roster_rows(5))
    roster_import(actor=world.manager, institution=world.inst_a, path=path, mode=Mode.DRY_RUN)
    assert not PersonReach.objects.exists()


def test_when_an_institution_moves_its_people_move_with_it(world):
    person = PersonFactory()
    services.employment_start(
        actor=world.hq_admin,
        person=person,
        institution=world.inst_a,
        position="guard",
        start_date=datetime.date(2024, 1, 1),
    )
    assert person.pk in _seen_by(world.station_officer)
    institution_services.institution_update(
        actor=world.hq_admin, institution=world.inst_a, supervising_unit=world.station_a2
    )
    world.station_officer.forget_role_assignments()
    assert person.pk not in _seen_by(world.station_officer)
    assert person.pk in _seen_by(world.province_officer)


def test_rebuild_recomputes_the_table_from_its_sources(world, guard_standard):
    person = PersonFactory(applicant=True)
    vetting_services.application_open(
        actor=world.manager, person=person, institution=world.inst_a, position="guard"
    )
    PersonReach.objects.all().delete()
    assert person.pk not in _seen_by(world.manager)
    PersonReach.objects.create(
        person=person,
        institution=world.inst_b,
        province=world.province_b,
        supervising_unit=world.station_b,
        source="vetting.application",
    )
    result = reach_rebuild()
    assert result == {"added": 1, "removed": 1, "rescoped": 0}
    assert person.pk in _seen_by(world.manager)
    out = StringIO()
    call_command("reach", "rebuild", "--no-progress", stdout=out)
    assert out.getvalue().strip() == "added 0\tremoved 0\trescoped 0"


def test_rebuild_gives_rows_their_institutions_scope_again(world):
    person = _employed(world, world.inst_a)
    # A reach row left behind by a move made outside the services.
    PersonReach.objects.filter(person=person).update(
        province=world.province_b, supervising_unit=world.station_b
    )
    assert person.pk not in _seen_by(world.province_officer)
    assert reach_rebuild()["rescoped"] == 1
    assert person.pk in _seen_by(world.province_officer)
    assert person.pk in _seen_by(world.station_officer)


def _employed(world, institution):
    person = PersonFactory()
    services.employment_start(
        actor=world.hq_admin,
        person=person,
        institution=institution,
        position="guard",
        start_date=datetime.date(2024, 1, 1),
    )
    return person


def _officers(world):
    """Fresh users (no cached role assignments) for each scope level, home and foreign."""
    return {
        "province A": user_with_role("province_officer", world.province_a),
        "province B": user_with_role("province_officer", world.province_b),
        "station A": user_with_role("station_officer", world.station_a),
        "station A2": user_with_role("station_officer", world.station_a2),
        "station B": user_with_role("station_officer", world.station_b),
    }


def _who_sees(officers, person) -> set:
    return {name for name, user in officers.items() if person.pk in _seen_by(user)}


def test_each_scope_level_sees_exactly_its_own_links(world, guard_standard):
    officers = _officers(world)
    staff_a = _employed(world, world.inst_a)
    applicant_b = PersonFactory(applicant=True)
    vetting_services.application_open(
        actor=world.hq_admin, person=applicant_b, institution=world.inst_b, position="guard"
    )
    assert _who_sees(officers, staff_a) == {"province A", "station A"}
    assert _who_sees(officers, applicant_b) == {"province B", "station B"}


def test_moving_to_another_province_moves_every_link_with_it(world, guard_standard):
    officers = _officers(world)
    current = _employed(world, world.inst_a)
    former = _employed(world, world.inst_a)
    services.employment_end(
        actor=world.hq_admin,
        employment=former.employments.get(),
        end_date=datetime.date(2025, 1, 1),
        reason="resigned",
    )
    applicant = PersonFactory(applicant=True)
    vetting_services.application_open(
        actor=world.hq_admin, person=applicant, institution=world.inst_a, position="guard"
    )
    elsewhere = _employed(world, world.inst_a2)
    for person in (current, former, applicant):
        assert _who_sees(officers, person) == {"province A", "station A"}

    institution_services.institution_update(
        actor=world.hq_admin,
        institution=world.inst_a,
        province=world.province_b,
        county=None,
        supervising_unit=world.station_b,
    )

    for person in (current, former, applicant):
        # The old province and station see them no more; the new ones do.
        assert _who_sees(officers, person) == {"province B", "station B"}
    assert _who_sees(officers, elsewhere) == {"province A", "station A2"}
    assert reach_rebuild()["rescoped"] == 0


def test_a_move_that_fails_leaves_the_reach_where_it_was(world):
    officers = _officers(world)
    person = _employed(world, world.inst_a)
    with pytest.raises(ValidationError):
        # A station of another province: refused, nothing moves.
        institution_services.institution_update(
            actor=world.hq_admin, institution=world.inst_a, supervising_unit=world.station_b
        )
    assert _who_sees(officers, person) == {"province A", "station A"}


def test_an_edit_that_moves_nothing_touches_no_reach_row(world):
    person = _employed(world, world.inst_a)
    before = list(PersonReach.objects.filter(person=person).values())
    institution_services.institution_update(
        actor=world.hq_admin, institution=world.inst_a, name="موسسه حفاظتی امین نو"
    )
    assert list(PersonReach.objects.filter(person=person).values()) == before


def test_a_person_linked_in_two_provinces_is_seen_by_both(world):
    officers = _officers(world)
    person = _employed(world, world.inst_b)
    services.employment_end(
        actor=world.hq_admin,
        employment=person.employments.get(),
        end_date=datetime.date(2024, 6, 1),
        reason="resigned",
    )
    services.employment_start(
        actor=world.hq_admin,
        person=person,
        institution=world.inst_a2,
        position="guard",
        start_date=datetime.date(2024, 7, 1),
    )
    assert _who_sees(officers, person) == {"province A", "station A2", "province B", "station B"}


def test_a_scoped_register_reads_the_reach_rows_alone(world):
    """Each scope level filters the reach table on its own indexed column: no join to the
    institutions (which made a province scope hash every reach row of the province)."""
    for user in (world.province_officer, world.station_officer, world.manager):
        sql = str(Person.objects.visible_to(user).query)
        assert "personnel_personreach" in sql
        assert "institutions_institution" not in sql
