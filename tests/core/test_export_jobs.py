"""An export past `EXPORT_INLINE_LIMIT` rows runs as a background job: it re-applies the
list's filters and its user's scope inside the job, writes a private file, shows its
progress, and only the user who asked may download it."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from entezam.accounts.models import RoleAssignment
from entezam.core import jobs
from entezam.core.exports import exports_expire
from entezam.core.models import AuditEvent, Job
from entezam.personnel.models import Person
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world, settings, tmp_path):
    """Three staff at the manager's institution, two at a foreign one; exports of more
    than one row run as jobs, inline."""
    settings.EXPORT_INLINE_LIMIT = 1
    settings.ENTEZAM_JOBS_INLINE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    home = [EmploymentFactory(institution=world.inst_a).person for _ in range(3)]
    foreign = [EmploymentFactory(institution=world.inst_b).person for _ in range(2)]
    return home, foreign


def _start(client, django_capture_on_commit_callbacks, url, **params) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, params)
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(kind="list_export")
    assert response["Location"] == f"/exports/{job.pk}/"
    return job


def _sheet(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_a_managers_job_export_holds_only_their_institution(
    client, world, people, django_capture_on_commit_callbacks
):
    home, foreign = people
    client.force_login(world.manager)
    job = _start(client, django_capture_on_commit_callbacks, "/people/", export="xlsx")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["rows"] == 3
    rows = _sheet(client.get(f"/exports/{job.pk}/download/"))
    assert sorted(row[0] for row in rows[1:]) == sorted(p.last_name for p in home)
    assert not {p.national_code for p in foreign} & {str(row[3]) for row in rows[1:]}
    # The job kept the address and the query string, never a queryset.
    assert set(job.params) == {"path", "query", "format", "language", "list", "title"}
    event = AuditEvent.objects.get(action="list.export")
    assert event.actor_id == world.manager.pk
    assert event.changes["rows"] == 3 and event.changes["job"] == job.pk
    assert event.changes["list"] == "people"


def test_the_job_applies_the_lists_filter_and_neutralises_formulas(
    client, world, people, django_capture_on_commit_callbacks
):
    home, _foreign = people
    Person.objects.filter(pk=home[0].pk).update(last_name='=HYPERLINK("http://x")')
    Person.objects.filter(pk=home[1].pk).update(first_name="@SUM(A1)")
    client.force_login(world.province_officer)
    job = _start(
        client,
        django_capture_on_commit_callbacks,
        "/people/",
        export="csv",
        institution=world.inst_a.pk,
    )
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert len(text.strip().splitlines()) == 1 + 3  # the filter kept inst_a's three
    assert AuditEvent.objects.get(action="list.export").changes["filters"]


def test_the_progress_page_reaches_100_percent_and_offers_the_file(
    client, world, people, django_capture_on_commit_callbacks
):
    client.force_login(world.manager)
    job = _start(client, django_capture_on_commit_callbacks, "/people/", export="xlsx")
    job.refresh_from_db()
    assert (job.done, job.total) == (3, 3)
    page = client.get(f"/exports/{job.pk}/progress/")
    html = page.content.decode()
    assert 'data-percent="100"' in html and "۱۰۰٪" in html
    assert f"/exports/{job.pk}/download/" in html
    assert client.get(f"/exports/{job.pk}/").status_code == 200


def test_a_queued_export_shows_its_bar_without_the_file(client, world, people, monkeypatch):
    monkeypatch.setattr(jobs, "dispatch", lambda job_id: None)
    client.force_login(world.manager)
    response = client.get("/people/", {"export": "xlsx"})
    job = Job.objects.get(kind="list_export")
    html = client.get(response["Location"]).content.decode()
    assert 'data-percent="0"' in html and 'hx-trigger="every 1s"' in html
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_another_user_cannot_see_or_download_the_export(
    client, world, people, django_capture_on_commit_callbacks
):
    client.force_login(world.manager)
    job = _start(client, django_capture_on_commit_callbacks, "/people/", export="xlsx")
    # Not a foreign user, nor HQ, whose role sees every job: the file is what the manager's
    # scope showed.
    for other in (world.station_officer, world.hq_admin):
        client.force_login(other)
        for url in (f"/exports/{job.pk}/", f"/exports/{job.pk}/download/"):
            assert client.get(url).status_code == 404, (other, url)
    client.logout()
    assert client.get(f"/exports/{job.pk}/download/").status_code == 302  # to sign in


@pytest.mark.parametrize(
    "params",
    [
        {"gender": "<script>"},
        {"institution": "1e20"},
        {"education": "x" * 300},
        {"q": "a" * 5000},
    ],
)
def test_hostile_query_strings_give_a_clean_error_and_start_no_job(client, world, people, params):
    client.force_login(world.hq_admin)
    client.cookies["django_language"] = "en"  # what the language switch sets
    response = client.get("/people/", {**params, "export": "xlsx"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "filter is not valid" in html or "too long to export" in html
    assert "Traceback" not in html
    assert not Job.objects.exists() and not AuditEvent.objects.filter(action="list.export")


def test_a_hostile_filter_on_the_audit_log_is_refused_in_persian(client, world, people):
    client.force_login(world.hq_admin)
    response = client.get("/audit/", {"action": "no.such", "export": "xlsx"})
    assert response.status_code == 400
    assert "فیلتر فهرست معتبر نیست" in response.content.decode()


def test_under_the_limit_the_export_is_the_file_itself(client, world, people, settings):
    settings.EXPORT_INLINE_LIMIT = 3
    client.force_login(world.manager)
    rows = _sheet(client.get("/people/", {"export": "xlsx"}))
    assert len(rows) == 1 + 3
    assert not Job.objects.exists()


def test_the_file_is_deleted_after_its_time_and_the_page_says_so(
    client, world, people, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_KEEP_HOURS = 24
    client.force_login(world.manager)
    job = _start(client, django_capture_on_commit_callbacks, "/people/", export="xlsx")
    job.refresh_from_db()
    path = job.output_file.path
    assert exports_expire(now=timezone.now()) == 0
    later = timezone.now() + datetime.timedelta(hours=25)
    assert exports_expire(now=later) == 1
    job.refresh_from_db()
    assert not job.output_file and job.result["expired"] and job.result["rows"] == 3
    assert not os.path.exists(path)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert "data-export-expired" in client.get(f"/exports/{job.pk}/").content.decode()


def test_the_job_resolves_the_scope_when_it_runs_not_when_it_was_asked(
    client, world, people, monkeypatch
):
    monkeypatch.setattr(jobs, "dispatch", lambda job_id: None)
    client.force_login(world.manager)
    client.get("/people/", {"export": "xlsx"})
    job = Job.objects.get(kind="list_export")
    # The manager moves to the foreign institution before the worker takes the job.
    RoleAssignment.objects.filter(user=world.manager).update(institution=world.inst_b)
    job = jobs.run_job(job.pk)
    assert job.status == Job.Status.SUCCEEDED and job.result["rows"] == 2
    rows = _sheet(client.get(f"/exports/{job.pk}/download/"))
    foreign_names = sorted(p.last_name for p in people[1])
    assert sorted(row[0] for row in rows[1:]) == foreign_names
