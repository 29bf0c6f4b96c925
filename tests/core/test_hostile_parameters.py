"""Malformed query parameters answer 400 or are ignored, never 500, on every list page and
API list, for a national and a scoped role."""

import base64
from urllib.parse import urlencode

import pytest

from tests.personnel.factories import EmploymentFactory
from tests.vetting.factories import ApplicationFactory, StandardFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    "1e20",
    "99999999999999999999999",
    "-4975",
    "²",
    "۱۲",
    "{}",
    "abc",
    "",
    " ",
    "0x1F",
    "1;DROP TABLE x",
    "\u202e12",
    "\x00ab",  # PostgreSQL refuses NUL in text: dropped, never a database error
    "a" * 5000,
    "null",
    "true",
]

# page -> the parameters its filters and pagination read
WEB_LISTS = {
    "/institutions/": ["q", "status", "kind", "province", "supervising_unit", "licence_expiring"],
    "/geo/units/": ["q", "kind", "province", "parent"],
    "/people/": ["q", "gender", "education", "institution", "employment", "position"],
    "/selection/applications/": [
        "q",
        "status",
        "position",
        "institution",
        "province",
        "standard",
        "needs_review",
    ],
    "/selection/standards/": ["code", "status"],
    "/selection/": ["institution", "province"],
    "/audit/": ["action"],
}
API_LISTS = {
    "/api/v1/institutions/": ["status", "kind", "province", "supervising_unit", "ordering"],
    "/api/v1/police-units/": ["kind", "province", "parent", "ordering"],
    "/api/v1/provinces/": ["code"],
    "/api/v1/people/": ["gender", "education", "institution", "employment", "cursor"],
    "/api/v1/employments/": ["person", "institution", "position", "end_date__isnull", "cursor"],
    "/api/v1/applications/": ["status", "institution", "standard", "needs_review", "ordering"],
    "/api/v1/standards/": ["code", "status"],
    "/api/v1/background-checks/": ["person", "result", "provider"],
    "/api/v1/roster-imports/": [],
}
COMMON = ["page", "page_size", "sort"]


@pytest.fixture
def data(world):
    StandardFactory(code="GUARD", version=1)
    ApplicationFactory(institution=world.inst_a)
    EmploymentFactory(institution=world.inst_a)
    return world


@pytest.mark.parametrize("role", ["hq_admin", "province_officer"])
@pytest.mark.parametrize("url", list(WEB_LISTS))
def test_web_lists_never_fail_on_hostile_parameters(data, client, role, url):
    client.force_login(getattr(data, role))
    for name in [*WEB_LISTS[url], *COMMON]:
        for value in HOSTILE:
            response = client.get(url, {name: value})
            assert response.status_code in (200, 400, 403, 404), (name, value)


@pytest.mark.parametrize("role", ["hq_admin", "manager"])
@pytest.mark.parametrize("url", list(API_LISTS))
def test_api_lists_never_fail_on_hostile_parameters(data, client, role, url):
    client.force_login(getattr(data, role))
    for name in [*API_LISTS[url], *COMMON]:
        for value in HOSTILE:
            response = client.get(url, {name: value})
            assert response.status_code in (200, 400, 403, 404), (name, value, response.content)


# A cursor is base64 anyone can write: well-formed cursors with positions no id can be.
FORGED_CURSORS = [
    base64.b64encode(urlencode(fields).encode()).decode()
    for fields in (
        {"p": "x"},
        {"p": "-99999999999999999999999"},
        {"p": "1e20"},
        {"r": "1", "p": "abc"},
        {"o": "5", "p": "\x00"},
        {"o": "-1", "p": "1"},
    )
]
CURSOR_LISTS = [
    "/api/v1/people/",
    "/api/v1/employments/",
    "/api/v1/applications/",
    "/api/v1/background-checks/",
    "/api/v1/notifications/",
]


@pytest.mark.parametrize("role", ["hq_admin", "station_officer", "manager"])
@pytest.mark.parametrize("url", CURSOR_LISTS)
def test_cursor_lists_refuse_forged_cursors(data, client, role, url):
    """Refused as a garbled cursor is (404, "Invalid cursor"), or an empty page: never a
    500, also for the station officer, whose lists are read per institution."""
    client.force_login(getattr(data, role))
    for cursor in FORGED_CURSORS:
        response = client.get(url, {"cursor": cursor})
        assert response.status_code in (200, 403, 404), (cursor, response.content)
        if response.status_code == 200:
            assert response.json()["results"] == [], cursor


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/selection/standards/new/", {"from": "abc"}),
        ("/selection/standards/new/", {"from": "99999999999999999999"}),
        ("/selection/applications/new/", {"institution": "²"}),
        ("/selection/applications/new/", {"institution": "1e20"}),
        ("/selection/", {"institution": "99999999999999999999"}),
        ("/selection/", {"province": "²"}),
    ],
)
def test_forms_and_boards_ignore_or_refuse_malformed_ids(data, client, url, params):
    client.force_login(data.hq_admin)
    assert client.get(url, params).status_code in (200, 400, 404)


def test_screen_refuses_malformed_ids_and_an_empty_institution_screens_nothing(data, client):
    client.force_login(data.hq_admin)
    for fields in ({"application": "abc"}, {"institution": "²"}, {"application": "1e20"}):
        assert client.post("/selection/screen/", fields).status_code in (400, 404)
    from entezam.vetting.models import Application

    before = list(Application.objects.values_list("status", flat=True))
    response = client.post("/selection/screen/", {"institution": ""})
    assert response.status_code in (302, 400)
    assert list(Application.objects.values_list("status", flat=True)) == before
