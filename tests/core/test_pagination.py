"""Lists count up to a cap and move by keyset cursors past it: walking the pages forwards
and back reaches every row once, in the list's order; a forged cursor shows the first page."""

import base64
import json

import pytest

from entezam.core.pagination import Keyset, _encode, keyset_fields
from entezam.personnel import views as person_views
from entezam.personnel.models import Employment, Person
from entezam.vetting.models import Application
from entezam.vetting.views import ApplicationListView
from tests.personnel.factories import EmploymentFactory, PersonFactory
from tests.vetting.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(world, monkeypatch):
    """Eleven employees of institution A, some sharing a name (ties broken by id); the
    register is "capped" at 4 and shows 3 per page."""
    names = [
        *[("رضایی", "علی")] * 3,
        *[("احمدی", "مریم"), ("کریمی", "حسن")] * 3,
        ("باقری", "زهرا"),
        ("احمدی", "مریم"),
    ]
    for last, first in names:
        EmploymentFactory(
            person=PersonFactory(last_name=last, first_name=first), institution=world.inst_a
        )
    monkeypatch.setattr(person_views, "COUNT_CAP", 4)
    monkeypatch.setattr(person_views.PersonListView, "paginate_by", 3)
    return world


def walk(client, path, params, *, backwards_from=None):
    """Every page reached by following "next" (or "previous" from a cursor)."""
    pages = []
    query = dict(params)
    if backwards_from:
        query["before"] = backwards_from
    while True:
        page = client.get(path, query).context["page_obj"]
        assert page.keyset
        pages.append([row.pk for row in page.object_list])
        query = dict(params)
        if backwards_from:
            if not page.has_previous:
                return list(reversed(pages))
            query["before"] = page.previous_token
        else:
            if not page.has_next:
                return pages
            query["after"] = page.next_token


def test_a_long_register_walks_forwards_and_back_in_name_order(register, client):
    client.force_login(register.hq_admin)
    expected = list(
        Person.objects.order_by("last_name", "first_name", "pk").values_list("pk", flat=True)
    )
    pages = walk(client, "/people/", {})
    assert [pk for page in pages for pk in page] == expected
    assert all(len(page) == 3 for page in pages[:-1])
    # From past the last row, "previous" walks back to the first row.
    last_token = _encode(["ی" * 5, "ی", 10**9])
    back = walk(client, "/people/", {}, backwards_from=last_token)
    assert [pk for page in back for pk in page] == expected


def test_the_page_says_more_than_the_cap_and_offers_no_page_numbers(register, client):
    client.force_login(register.manager)
    body = client.get("/people/").content.decode()
    assert "بیش از ۴" in body
    assert "page=2" not in body and "after=" in body


def test_a_descending_sort_with_equal_times_loses_no_row(world, client, monkeypatch):
    applications = [ApplicationFactory(institution=world.inst_a) for _ in range(7)]
    # Every second application shares one submission time: ties fall back to the id.
    same = applications[0].submitted_at
    Application.objects.filter(pk__in=[a.pk for a in applications[::2]]).update(submitted_at=same)
    monkeypatch.setattr(ApplicationListView, "count_cap", 2)
    monkeypatch.setattr(ApplicationListView, "paginate_by", 2)
    client.force_login(world.province_officer)
    expected = list(
        Application.objects.order_by("-submitted_at", "-pk").values_list("pk", flat=True)
    )
    pages = walk(client, "/selection/applications/", {})
    assert [pk for page in pages for pk in page] == expected
    # The foreign province's applications never appear on any page.
    ApplicationFactory(institution=world.inst_b)
    assert [pk for page in walk(client, "/selection/applications/", {}) for pk in page] == expected


def token(values):
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!!",
        token(["a", "b"]),  # too few values
        token([{"x": 1}, "a", 1]),  # not a plain value
        token(["a", "b", "not-an-id"]),
        token(["a", "b", 10**30]),
        token(["a", "b", True]),
        token({"a": 1}),
        "A" * 5000,
    ],
)
def test_a_forged_cursor_shows_the_first_page(register, client, cursor):
    client.force_login(register.hq_admin)
    first = client.get("/people/").context["page_obj"]
    for name in ("after", "before"):
        response = client.get("/people/", {name: cursor})
        assert response.status_code == 200
        assert [p.pk for p in response.context["page_obj"].object_list] == [
            p.pk for p in first.object_list
        ]


def test_a_date_cursor_that_is_not_a_date_shows_the_first_page(world, client, monkeypatch):
    for _ in range(4):
        ApplicationFactory(institution=world.inst_a)
    monkeypatch.setattr(ApplicationListView, "count_cap", 1)
    client.force_login(world.hq_admin)
    response = client.get("/selection/applications/", {"after": token(["1404-13-40", 5])})
    assert response.status_code == 200 and len(response.context["object_list"]) == 4


def test_a_nullable_sort_column_stays_on_numbered_pages(world):
    assert keyset_fields(Employment.objects.order_by("end_date")) is None
    assert keyset_fields(Person.objects.order_by("last_name")) == ["last_name", "pk"]
    assert keyset_fields(Application.objects.order_by("-submitted_at", "-pk")) == [
        "-submitted_at",
        "-pk",
    ]
    assert keyset_fields(Application.objects.order_by("person__search_name")) == [
        "person__search_name",
        "pk",
    ]


def test_keyset_pages_of_a_queryset_cover_it_once(world):
    for _ in range(5):
        PersonFactory(last_name="یکسان", first_name="نام")
    people = Person.objects.filter(last_name="یکسان").order_by("last_name", "first_name")
    keyset = Keyset(people, keyset_fields(people), per_page=2)
    seen, page = [], keyset.page()
    while True:
        seen += [p.pk for p in page.object_list]
        if not page.has_next:
            break
        page = keyset.page(after=page.next_token)
    assert seen == sorted(p.pk for p in people)


def test_the_audit_log_past_the_cap_walks_every_event(world, client, monkeypatch):
    from entezam.core import audit, pagination
    from entezam.core.models import AuditEvent

    for _ in range(7):
        audit.record(actor=world.hq_admin, action="institution.update", obj=world.inst_a)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    client.force_login(world.hq_admin)
    expected = list(AuditEvent.objects.order_by("-id").values_list("pk", flat=True))
    seen, query = [], {}
    while True:
        page = client.get("/audit/", query).context["page_obj"]
        seen += [event.pk for event in page.object_list]
        if not page.has_next:
            break
        query = {"after": page.next_token}
    assert seen == expected


def test_an_api_list_past_the_cap_says_more_than_instead_of_a_count(world, monkeypatch):
    from entezam.core import pagination
    from tests.permissions import api

    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    body = api(world.hq_admin).get("/api/v1/institutions/").json()
    assert body["count"] is None and body["more_than"] == 2 and len(body["results"]) == 3
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    body = api(world.hq_admin).get("/api/v1/institutions/").json()
    assert body["count"] == 3 and body["more_than"] is None


def test_a_capped_count_reads_rows_in_no_particular_order(register, client):
    """The count stops at the cap whichever rows it meets first: it neither sorts the list
    nor walks it in order, and it still says "more than N"."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(register.hq_admin)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/people/")
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    people = [sql for sql in counts if "personnel_person" in sql]
    assert people and all("ORDER BY" not in sql.upper() for sql in people), people
    paginator = response.context["page_obj"].paginator
    assert paginator.capped and paginator.count == 5


@pytest.mark.parametrize("order", [["last_name", "first_name", "pk"], ["-last_name", "-pk"]])
def test_a_keyset_page_bounds_the_first_sort_column_on_its_own(register, order):
    """The cursor's condition starts with `first column >= value` (`<=` descending), so
    the database starts an index range there instead of walking the list up to it; the
    rows are the same as without it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = Person.objects.order_by(*order)
    keyset = Keyset(people, keyset_fields(people), 3)
    middle = list(people)[4]
    token = _encode([getattr(middle, name.lstrip("-")) for name in keyset.fields])
    with CaptureQueriesContext(connection) as captured:
        page = keyset.page(after=token)
    expected = list(people.values_list("pk", flat=True))[5:8]
    assert [p.pk for p in page.object_list] == expected
    sql = captured.captured_queries[-1]["sql"]
    bound = '"last_name" <= ' if order[0].startswith("-") else '"last_name" >= '
    assert bound in sql, sql
