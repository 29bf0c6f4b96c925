"""A page's SQL query count does not grow with the data it lists.

Every page in each role's navigation, the detail pages, and every API list endpoint is
requested with a little data and again after every list has grown past a page; the second
request may not run more queries than the first (an N+1 — a query per row shown — fails
here). Pages that later apps add to the navigation are covered as they register.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from entezam.core import audit
from entezam.core.context_processors import navigation_items
from entezam.core.models import Job
from entezam.core.persian import to_persian_digits
from entezam.notifications.services import notify
from tests.permissions import ROLES
from tests.personnel.factories import EmploymentFactory
from tests.vetting.factories import ApplicationFactory, BackgroundCheckFactory

pytestmark = pytest.mark.django_db

GROWTH = 30  # more than a page (25) of every list


def grow(world, n: int) -> None:
    """`n` more of every row a list shows, in the home scope and the foreign one."""
    users = [getattr(world, role) for role in ROLES]
    for institution in (world.inst_a, world.inst_b):
        for _ in range(n):
            employment = EmploymentFactory(institution=institution)
            application = ApplicationFactory(institution=institution)
            BackgroundCheckFactory(person=application.person)
            audit.record(actor=world.hq_admin, action="person.update", obj=employment.person)
            Job.objects.create(
                kind="roster_import",
                created_by=world.manager,
                params={"institution": institution.pk},
            )
    for _ in range(n):
        notify(recipients=users, event="announcement", title="اطلاعیه")


def nav_urls(user) -> list[str]:
    urls = []
    for item in navigation_items(user, "/"):
        for link in item.get("children", [item]):
            urls.append(link["url"])
    return urls


def api_list_urls() -> list[str]:
    """Every `…-list` route of the API that needs no argument."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("-list"):
                route = prefix + str(pattern.pattern)
                if route.startswith("api/v1/") and "<" not in route and "(?P" not in route:
                    found.append("/" + route.replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def detail_urls(world) -> list[str]:
    from entezam.personnel.models import Person
    from entezam.vetting.models import Application

    person = Person.objects.filter(employments__institution=world.inst_a).first()
    application = Application.objects.filter(institution=world.inst_a).first()
    return [
        person.get_absolute_url(),
        application.get_absolute_url(),
        world.inst_a.get_absolute_url(),
        world.station_a.get_absolute_url(),
    ]


def queries(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_runs_more_queries_as_its_lists_grow(world, role):
    grow(world, 2)
    user = getattr(world, role)
    client = Client()
    client.force_login(user)
    urls = nav_urls(user) + detail_urls(world) + api_list_urls()
    assert len(urls) > 10
    client.get("/")  # the session and caches warm once
    before = {url: queries(client, url) for url in urls}
    grow(world, GROWTH)
    grown = []
    for url in urls:
        status, count = queries(client, url)
        if status == 200 and before[url][0] == 200 and count > before[url][1]:
            grown.append(f"{url}: {before[url][1]} -> {count} queries")
        assert status == before[url][0], url
    assert not grown, "\n".join(grown)
    # The role reached its own pages (a list it may not open answers 403 or 404).
    assert any(before[url][0] == 200 for url in nav_urls(user))


@pytest.mark.parametrize("role", ["province_officer", "station_officer", "manager"])
def test_a_person_page_checks_the_scope_once(world, role):
    """The reach index is consulted once: fetching the person in scope; the audit's role,
    the edit button and the national code reuse that check."""
    grow(world, 2)
    from entezam.personnel.models import Person

    person = Person.objects.filter(employments__institution=world.inst_a).first()
    client = Client()
    client.force_login(getattr(world, role))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(person.get_absolute_url())
    assert response.status_code == 200
    # A station officer sees national codes masked; the others read them in full.
    shown = person.national_code_masked if role == "station_officer" else person.national_code
    assert to_persian_digits(shown) in response.content.decode()
    reach = [q["sql"] for q in captured.captured_queries if "personnel_personreach" in q["sql"]]
    assert len(reach) == 1, reach
