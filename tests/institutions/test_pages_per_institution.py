"""API lists read page by page per institution of a station's scope
(`institutions.selectors.pages_per_institution`): the same rows, in the same order, on every
page and backwards, as the plain scoped list; nothing from another scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entezam.core.scoping import Scope, scope_objects
from entezam.personnel.models import Employment, Person
from entezam.vetting.models import Application
from tests.institutions.factories import InstitutionFactory
from tests.permissions import api
from tests.personnel.factories import EmploymentFactory
from tests.vetting.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the per-institution read is PostgreSQL's LATERAL"
)


@pytest.fixture
def spread(world):
    """Applications at the station's two institutions, in blocks between newer and older
    ones of the foreign province and of the sibling station: where a station's rows lie
    in the table is what the per-institution read must not depend on."""
    world.inst_a3 = InstitutionFactory(supervising_unit=world.station_a, name="موسسه حفاظتی نگین")
    order = ["inst_a"] * 4 + ["inst_b"] * 5 + ["inst_a3"] * 3 + ["inst_a2"] * 2 + ["inst_a"] * 2
    order += ["inst_b"] * 3
    for key in order:
        ApplicationFactory(institution=getattr(world, key))
    withdrawn = Application.objects.filter(institution=world.inst_a3).first()
    Application.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    return world


def _walk(client, url: str, params: dict) -> tuple[list[int], list[int]]:
    """Every id of a cursor-paged list, following `next`, then back from the last page
    following `previous` (each page's ids in list order)."""
    pages = []
    response = client.get(url, params).json()
    pages.append([row["id"] for row in response["results"]])
    while response["next"]:
        response = client.get(response["next"]).json()
        pages.append([row["id"] for row in response["results"]])
    back = []
    while response["previous"]:
        response = client.get(response["previous"]).json()
        back = [row["id"] for row in response["results"]] + back
    forward = [pk for page in pages for pk in page]
    return forward, back + pages[-1]


def test_a_station_officer_pages_through_exactly_the_stations_applications(spread):
    world = spread
    expected = list(
        Application.objects.filter(institution__supervising_unit=world.station_a)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    assert len(expected) == 9
    forward, backward = _walk(api(world.station_officer), "/api/v1/applications/", {"page_size": 2})
    assert forward == expected
    assert backward == expected

    # Under a filter too: the withdrawn one is left out, on every page.
    submitted = list(
        Application.objects.filter(
            institution__supervising_unit=world.station_a, status="submitted"
        )
        .order_by("-id")
        .values_list("id", flat=True)
    )
    forward, _ = _walk(
        api(world.station_officer),
        "/api/v1/applications/",
        {"page_size": 3, "status": "submitted"},
    )
    assert forward == submitted and len(submitted) == 8


def test_a_station_officer_pages_through_the_stations_employments(spread):
    world = spread
    for key in ("inst_a3", "inst_b", "inst_a", "inst_a2", "inst_a3", "inst_a"):
        EmploymentFactory(institution=getattr(world, key))
    expected = list(
        Employment.objects.filter(institution__supervising_unit=world.station_a)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    forward, backward = _walk(api(world.station_officer), "/api/v1/employments/", {"page_size": 2})
    assert forward == expected == backward
    assert len(expected) == 4


@ON_POSTGRESQL
def test_the_station_reads_per_institution_and_the_others_walk_the_list(spread):
    world = spread

    def list_sql(user) -> str:
        with CaptureQueriesContext(connection) as queries:
            response = api(user).get("/api/v1/applications/", {"page_size": 2})
        assert response.status_code == 200
        return " ".join(query["sql"] for query in queries.captured_queries)

    assert "LATERAL" in list_sql(world.station_officer)
    # A nation-wide or province reader walks the list; one institution's manager reads
    # its `(institution, id)` index, already in the list's order.
    for user in (world.hq_admin, world.province_officer, world.manager):
        assert "LATERAL" not in list_sql(user)


def test_scope_objects_name_the_scope_or_nothing_bounds_it(world):
    assert scope_objects(world.station_officer, Application) == [
        (Scope.POLICE_UNIT, "institution__supervising_unit", world.station_a.pk)
    ]
    assert scope_objects(world.manager, Application) == [
        (Scope.INSTITUTION, "institution", world.inst_a.pk)
    ]
    # Nation-wide, and a model scoped by its own rule (people, by the reach table).
    assert scope_objects(world.hq_admin, Application) is None
    assert scope_objects(world.station_officer, Person) is None
    # A role that may not view the model at all grants nothing.
    assert scope_objects(world.trainer, Employment) == []
