"""The selection board reads a summary per scope and stage: its figures equal the
applications' own, each role's board counts only its scope, and the page states its age."""

import datetime
import statistics

import pytest
from django.test import Client
from django.utils import timezone

from entezam.vetting import board
from entezam.vetting.models import Application, StageSummary
from entezam.vetting.selectors import pipeline_board
from tests.accounts.factories import user_with_role
from tests.vetting.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def make(world, key, status, days, review=False):
    return ApplicationFactory(
        institution=getattr(world, key),
        status=status,
        needs_review=review,
        status_changed_at=NOW - datetime.timedelta(days=days),
    )


@pytest.fixture
def cases(world):
    """inst_a (station_a): screening for 2, 4 and 9 days (one for review), an approval;
    inst_a2 (station_a2, same province): interview for 6 days; inst_b: screening, 30 days."""
    make(world, "inst_a", "screening", 2)
    make(world, "inst_a", "screening", 4, review=True)
    make(world, "inst_a", "screening", 9)
    make(world, "inst_a", "approved", 1)
    make(world, "inst_a2", "interview", 6)
    make(world, "inst_b", "screening", 30)
    board.refresh_stage_summary()
    return world


def stages(result):
    return {s["status"]: s for s in result["stages"]}


def expected(applications, status):
    rows = [a for a in applications if a.status == status]
    waits = [(NOW - a.status_changed_at).total_seconds() / 86400 for a in rows]
    return len(rows), (round(statistics.median(waits), 1) if waits else None)


@pytest.mark.parametrize(
    "role, keys",
    [
        ("hq_admin", ("inst_a", "inst_a2", "inst_b")),
        ("province_officer", ("inst_a", "inst_a2")),
        ("station_officer", ("inst_a",)),
        ("manager", ("inst_a",)),
    ],
)
def test_each_role_sees_the_figures_of_its_scope_only(cases, role, keys):
    result = pipeline_board(user=getattr(cases, role), now=NOW)
    mine = [
        a for a in Application.objects.all() if a.institution in [getattr(cases, k) for k in keys]
    ]
    for status in ("screening", "interview"):
        count, median = expected(mine, status)
        assert stages(result)[status]["count"] == count, status
        assert stages(result)[status]["median_days"] == median, status
    assert result["total"] == len(mine)
    assert result["needs_review"] == sum(a.needs_review for a in mine)
    # The institutions table lists only institutions of the scope.
    assert {row["name"] for row in result["institutions"]} == {getattr(cases, k).name for k in keys}
    assert result["as_of"] is not None  # read from the summary


def test_an_even_count_has_the_mean_of_the_middle_two_as_median(world):
    make(world, "inst_a", "interview", 2)
    make(world, "inst_a", "interview", 5)
    board.refresh_stage_summary()
    result = pipeline_board(user=world.hq_admin, institution=world.inst_a, now=NOW)
    assert stages(result)["interview"]["median_days"] == 3.5


def test_the_board_lags_until_the_summary_is_recomputed_and_says_so(cases, client):
    client.force_login(cases.province_officer)
    page = client.get("/selection/")
    assert "آمار تا" in page.content.decode() and "۵ دقیقه" in page.content.decode()
    before = stages(page.context["board"])["screening"]["count"]
    make(cases, "inst_a2", "screening", 1)
    assert stages(client.get("/selection/").context["board"])["screening"]["count"] == before
    board.refresh_stage_summary()
    after = client.get("/selection/").context["board"]
    assert stages(after)["screening"]["count"] == before + 1


def test_a_station_officer_choosing_a_province_gets_only_their_own_stations(cases):
    # Their province holds inst_a2 (another station): not theirs, so not counted.
    result = pipeline_board(user=cases.station_officer, province=cases.province_a, now=NOW)
    assert result["total"] == 4 and result["as_of"] is None  # computed from their rows
    assert stages(result)["interview"]["count"] == 0


def test_a_user_with_two_scopes_gets_both_computed_live(cases):
    officer = user_with_role("station_officer", cases.station_a, username="two")
    officer.role_assignments.create(role="station_officer", police_unit=cases.station_b)
    officer = type(officer).objects.get(pk=officer.pk)
    result = pipeline_board(user=officer, now=NOW)
    count, median = expected(
        [a for a in Application.objects.all() if a.institution_id != cases.inst_a2.pk],
        "screening",
    )
    assert stages(result)["screening"]["count"] == count == 4
    assert stages(result)["screening"]["median_days"] == median
    assert result["as_of"] is None


def test_an_institution_outside_the_scope_is_not_found(cases):
    client = Client()
    client.force_login(cases.manager)
    assert client.get("/selection/", {"institution": cases.inst_b.pk}).status_code == 404
    assert client.get("/selection/", {"institution": cases.inst_a.pk}).status_code == 200


def test_the_summary_has_a_row_per_scope_and_stage(cases):
    rows = {(r.scope, r.scope_id, r.status): r.count for r in StageSummary.objects.all()}
    assert rows[("nation", 0, "screening")] == 4
    assert rows[("province", cases.province_a.pk, "screening")] == 3
    assert rows[("police_unit", cases.station_a2.pk, "interview")] == 1
    assert rows[("institution", cases.inst_b.pk, "screening")] == 1
    # Recomputing replaces the table rather than adding to it.
    assert board.refresh_stage_summary() == len(rows) == StageSummary.objects.count()


def test_the_summary_is_a_periodic_task():
    from entezam.core.registry import PERIODIC_TASKS

    task = PERIODIC_TASKS["selection-board"]
    assert task.function == "entezam.vetting.board.refresh_stage_summary"
    assert task.seconds == 300
