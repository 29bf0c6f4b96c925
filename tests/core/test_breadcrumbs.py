"""Every page but the home page has breadcrumbs: they start at the dashboard, lead up
through the page's list, and end in the current page (its title), not a link."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from tests.personnel.factories import EmploymentFactory
from tests.training.factories import CertificateFactory, SessionFactory
from tests.vetting.factories import ApplicationFactory, StandardFactory

pytestmark = pytest.mark.django_db

_CRUMBS = re.compile(r'<ol class="breadcrumb">(.*?)</ol>', re.S)
_ITEM = re.compile(r'<li class="breadcrumb-item( active)?"[^>]*>(.*?)</li>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


def _title_and_heading(page: str) -> str:
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    return " ".join(_text(m.group(1)) for m in (title, heading) if m)


@pytest.fixture
def pages(world):
    person = EmploymentFactory(institution=world.inst_a).person
    application = ApplicationFactory(institution=world.inst_a, status="background_check")
    standard = StandardFactory(code="SUPERVISOR", status="draft")
    session = SessionFactory(province=world.province_a)
    certificate = CertificateFactory(person=person, course=session.course)
    return [
        reverse("core:audit_list"),
        reverse("institutions:list"),
        reverse("institutions:create"),
        reverse("institutions:detail", args=[world.inst_a.pk]),
        reverse("institutions:update", args=[world.inst_a.pk]),
        reverse("institutions:transition", args=[world.inst_a.pk, "suspend"]),
        reverse("personnel:list"),
        reverse("personnel:detail", args=[person.pk]),
        reverse("personnel:update", args=[person.pk]),
        reverse("geo:unit_list"),
        reverse("geo:unit_create"),
        reverse("geo:unit_detail", args=[world.station_a.pk]),
        reverse("geo:unit_update", args=[world.station_a.pk]),
        reverse("vetting:pipeline"),
        reverse("vetting:application_list"),
        reverse("vetting:applicant_register"),
        reverse("vetting:application_detail", args=[application.pk]),
        reverse("vetting:check_record", args=[application.pk]),
        reverse("vetting:medical_record", args=[application.pk]),
        reverse("vetting:application_action", args=[application.pk, "advance-interview"]),
        reverse("vetting:check_import"),
        reverse("vetting:standard_list"),
        reverse("vetting:standard_create"),
        reverse("vetting:standard_detail", args=[standard.pk]),
        reverse("vetting:standard_update", args=[standard.pk]),
        reverse("vetting:standard_activate", args=[standard.pk]),
        reverse("training:session_list"),
        reverse("training:session_calendar"),
        reverse("training:session_create"),
        reverse("training:session_detail", args=[session.pk]),
        reverse("training:session_update", args=[session.pk]),
        reverse("training:course_list"),
        reverse("training:course_create"),
        reverse("training:course_detail", args=[session.course.pk]),
        reverse("training:course_update", args=[session.course.pk]),
        reverse("training:certificate_list"),
        reverse("training:certificate_detail", args=[certificate.pk]),
        reverse("training:lapsing"),
        reverse("credentials:card_list"),
        reverse("guidelines:guideline_list"),
        reverse("guidelines:guideline_create"),
        reverse("guidelines:issuance_list"),
        reverse("guidelines:procedures"),
        reverse("feedback:queue"),
        reverse("feedback:console"),
        reverse("feedback:statistics"),
        reverse("feedback:rules"),
        reverse("feedback:rule_add"),
        reverse("notifications:list"),
        reverse("notifications:preferences"),
        reverse("notifications:deliveries"),
        reverse("accounts:user_list"),
        reverse("accounts:user_create"),
        reverse("accounts:user_detail", args=[world.manager.pk]),
        reverse("roster:upload"),
    ]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_main_page_ends_its_breadcrumbs_in_its_title(client, world, pages, language):
    client.force_login(world.hq_admin)
    client.cookies["django_language"] = language  # what the language switch sets
    dashboard = reverse("home")
    problems = []
    for url in pages:
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: status {response.status_code}")
            continue
        page = response.content.decode()
        assert f'lang="{language}"' in page
        crumbs = _CRUMBS.search(page)
        items = _ITEM.findall(crumbs.group(1)) if crumbs else []
        if len(items) < 2:
            problems.append(f"{url}: {len(items)} breadcrumb items")
            continue
        first, last = items[0], items[-1]
        if f'href="{dashboard}"' not in first[1]:
            problems.append(f"{url}: does not start at the dashboard: {_text(first[1])}")
        if not last[0] or "<a " in last[1]:
            problems.append(f"{url}: the last item is not the current page: {_text(last[1])}")
        if any(not active and "<a " not in item for active, item in items[:-1]):
            problems.append(f"{url}: an item on the way up is not a link")
        current = _text(last[1])
        if not current or current.casefold() not in _title_and_heading(page).casefold():
            problems.append(f"{url}: last item {current!r} is not the page's title")
    assert problems == []


def test_the_home_page_has_no_breadcrumbs(client, world):
    client.force_login(world.hq_admin)
    page = client.get(reverse("home")).content.decode()
    crumbs = _CRUMBS.search(page)
    assert crumbs is None or not _ITEM.findall(crumbs.group(1))
