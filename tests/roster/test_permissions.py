"""Who may import a roster into which institution, and who reads which import job: the
shared suite (tests/permissions.py) over inst_a (home), inst_a2 (same province) and inst_b
(another province), and over jobs started by different users."""

import pytest

from entezam.core.models import Job
from entezam.institutions.models import Institution
from entezam.roster.services import roster_import_start
from tests.accounts.factories import user_with_role
from tests.permissions import Action, ActionTests, DetailTests, ListTests
from tests.roster.files import roster_file

pytestmark = pytest.mark.django_db

IMPORTERS = frozenset({"hq_admin", "province_officer", "manager"})


class TestRosterImportPermissions(ActionTests):
    """Importing is an action the roster app adds to institutions (`import_roster`)."""

    model = Institution
    keys = ("inst_a", "inst_a2", "inst_b")
    foreign = "inst_b"
    visible = {
        "hq_admin": {"inst_a", "inst_a2", "inst_b"},
        "hq_analyst": {"inst_a", "inst_a2", "inst_b"},
        "province_officer": {"inst_a", "inst_a2"},
        "station_officer": {"inst_a"},
        "manager": {"inst_a"},
        "operator": {"inst_a", "inst_a2", "inst_b"},
    }

    @pytest.fixture
    def objects(self, setup):
        return {key: getattr(setup, key) for key in self.keys}

    actions = {
        # The upload page offers the institutions one may import into: a role that imports
        # nowhere is refused first; an institution outside the scope is not among the
        # choices (the form) or "does not exist" (the API).
        "import": Action(
            roles=IMPORTERS,
            event="roster.import",
            page="/roster/",
            web="/roster/",
            form={
                "institution": lambda inst: inst.pk,
                "file": lambda inst: roster_file(),
                "mode": "atomic",
            },
            api="/api/v1/roster-imports/",
            payload={
                "institution": lambda inst: inst.registration_number,
                "file": lambda inst: roster_file(),
                "mode": "atomic",
            },
            dialog=False,
            role_first=("web", "api"),
            outside={"web": (400, "institution")},
            api_status=202,
            creates=Job,
            created={
                "kind": "roster_import",
                "status": "succeeded",
                "result": lambda result: result["outcome"] == "written",
            },
        ),
    }


class TestRosterJobPermissions(ListTests, DetailTests):
    """An import job is seen by the user who started it, and by HQ administrators."""

    model = Job
    keys = ("job_a", "job_a2", "job_b")
    foreign = "job_b"
    visible = {
        "hq_admin": {"job_a", "job_a2", "job_b"},
        "province_officer": {"job_a2"},
        "manager": {"job_a"},
    }

    @pytest.fixture
    def objects(self, setup, django_capture_on_commit_callbacks):
        manager_b = user_with_role("institution_manager", setup.inst_b, username="manager_b")

        def finished_import(actor, institution):
            with django_capture_on_commit_callbacks(execute=True):
                return roster_import_start(
                    actor=actor, institution=institution, upload=roster_file(), mode="dry_run"
                )

        return {
            "job_a": finished_import(setup.manager, setup.inst_a),
            "job_a2": finished_import(setup.province_officer, setup.inst_a2),
            "job_b": finished_import(manager_b, setup.inst_b),
        }

    api_list_url = "/api/v1/roster-imports/"
    api_id = "job"
    detail_url = "/roster/jobs/{pk}/"
    detail_pages = (
        "/roster/jobs/{pk}/progress/",
        "/roster/jobs/{pk}/report.json",
        "/roster/jobs/{pk}/report.xlsx",
    )
    api_detail_url = "/api/v1/roster-imports/{pk}/"


def test_the_upload_form_offers_only_the_institutions_one_may_import_into(client, setup):
    client.force_login(setup.manager)
    page = client.get("/roster/")
    assert page.status_code == 200
    assert list(page.context["form"].fields["institution"].queryset) == [setup.inst_a]
    assert "کد ملی" in page.content.decode()

    client.force_login(setup.province_officer)
    choices = set(client.get("/roster/").context["form"].fields["institution"].queryset)
    assert choices == {setup.inst_a, setup.inst_a2}
