"""Who may do what in selection: the shared suite (tests/permissions.py) over applications
at inst_a (home), inst_a2 (same province) and inst_b (another province), their background
checks, and the national standards; the pipeline and the results import as explicit cases."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from entezam.core.persian import format_jalali
from entezam.vetting import services
from entezam.vetting.models import Application, BackgroundCheck, MedicalCertificate, Standard
from tests.permissions import (
    ROLES,
    Action,
    ActionTests,
    CreateTests,
    DetailTests,
    ListTests,
    UpdateTests,
    api,
    web,
)
from tests.personnel.factories import EmploymentFactory
from tests.roster.files import national_code
from tests.vetting.factories import (
    GUARD_RULES,
    BackgroundCheckFactory,
    StandardFactory,
)

pytestmark = pytest.mark.django_db

KEYS = ("inst_a", "inst_a2", "inst_b")
# Which applications (by institution) each role sees: operators and trainers none.
VISIBLE = {
    "hq_admin": {"inst_a", "inst_a2", "inst_b"},
    "hq_analyst": {"inst_a", "inst_a2", "inst_b"},
    "province_officer": {"inst_a", "inst_a2"},
    "station_officer": {"inst_a"},
    "manager": {"inst_a"},
}
HQ = frozenset({"hq_admin"})
DECIDERS = frozenset({"hq_admin", "province_officer"})
OFFICERS = frozenset({"hq_admin", "province_officer", "station_officer"})
OPENERS = frozenset({"hq_admin", "manager"})
REASON = "سوابق کاری تأیید نشد"
TODAY = timezone.localdate()


class TestApplicationPermissions(ListTests, DetailTests, CreateTests, ActionTests):
    model = Application
    keys = KEYS
    foreign = "inst_b"
    visible = VISIBLE

    @pytest.fixture
    def objects(self, apps):
        return apps

    list_url = "/selection/applications/"
    api_list_url = "/api/v1/applications/"
    detail_url = "/selection/applications/{pk}/"
    api_detail_url = "/api/v1/applications/{pk}/"
    detail_shows = "{obj.person.last_name}"

    # Opening an application of a registered person (the web form registers the person
    # too: TestApplicantRegisterPermissions).
    api_create_url = "/api/v1/applications/"
    create_roles = OPENERS
    create_event = "application.open"
    created = {"status": "submitted", "position": "guard"}
    # The person and the institution outside the scope "do not exist".
    create_outside = {"api": (400, "institution")}

    def create_payload(self, world, near):
        person = EmploymentFactory(institution=near.institution).person
        return {
            "person": person.pk,
            "institution": near.institution.registration_number,
            "position": "guard",
        }

    actions = {
        # Screening runs over an institution's open applications: it looks the institution
        # up, which operators see too. The page refuses a role that does not screen first.
        "screen": Action(
            roles=DECIDERS,
            event="application.screen",
            event_on="institution",
            web="/selection/screen/",
            form={"institution": lambda app: app.institution.pk, "application": lambda app: app.pk},
            api="/api/v1/applications/screen/",
            payload={"institution": lambda app: app.institution.registration_number},
            dialog=False,
            role_first=("web",),
            visible={**VISIBLE, "operator": set(KEYS)},
            before={"status": "submitted"},
            after={"status": "interview"},
        ),
        "advance": Action(
            roles=OFFICERS,
            event="application.advance",
            web="/selection/applications/{pk}/advance-interview/",
            form={"reason": ""},
            api="/api/v1/applications/{pk}/advance/",
            payload={"to_status": "interview"},
            before={"status": "background_check"},
            after={"status": "interview"},
        ),
        "approve": Action(
            roles=DECIDERS,
            event="application.approve",
            web="/selection/applications/{pk}/approve/",
            form={"reason": ""},
            api="/api/v1/applications/{pk}/decide/",
            payload={"approve": True},
            before={"status": "interview"},
            after={"status": "approved"},
        ),
        "reject": Action(
            roles=DECIDERS,
            event="application.reject",
            web="/selection/applications/{pk}/reject/",
            form={"reason": REASON},
            api="/api/v1/applications/{pk}/decide/",
            payload={"approve": False, "reason": REASON},
            before={"status": "interview"},
            after={"status": "rejected", "decision_reason": REASON},
        ),
        "withdraw": Action(
            roles=OPENERS,
            event="application.withdraw",
            web="/selection/applications/{pk}/withdraw/",
            form={"reason": "انصراف متقاضی"},
            api="/api/v1/applications/{pk}/withdraw/",
            payload={"reason": "انصراف متقاضی"},
            before={"status": "submitted"},
            after={"status": "withdrawn"},
        ),
        "record_check": Action(
            roles=OFFICERS,
            event="background_check.record",
            web="/selection/applications/{pk}/check/",
            form={"result": "clear", "checked_on": "1404/01/15", "reference": ""},
            creates=BackgroundCheck,
            created={"provider": "manual", "result": "clear"},
            event_on="created",
        ),
        "record_medical": Action(
            roles=OFFICERS | {"manager"},
            event="medical_certificate.record",
            web="/selection/applications/{pk}/medical/",
            form={
                "fit": "1",
                "issued_on": format_jalali(TODAY - datetime.timedelta(days=3), digits="en"),
                "valid_until": format_jalali(TODAY + datetime.timedelta(days=300), digits="en"),
                "issuer": "درمانگاه",
            },
            creates=MedicalCertificate,
            created={"fit": True, "issuer": "درمانگاه"},
            event_on="created",
        ),
    }


class TestApplicantRegisterPermissions(CreateTests):
    """Registering an applicant by hand: the person and their application in one step."""

    model = Application
    keys = KEYS
    foreign = "inst_b"
    visible = VISIBLE

    @pytest.fixture
    def objects(self, apps):
        return apps

    create_url = "/selection/applications/new/"
    api_create_url = "/api/v1/applications/register/"
    create_roles = OPENERS
    create_event = "application.open"
    created = {"status": "submitted", "position": "guard"}
    # The form offers only the institutions in scope; the API answers 404.
    create_outside = {"web": (200, "institution"), "api": (404, "institution")}

    def create_form(self, world, near):
        return {
            "institution": near.institution.pk,
            "position": "guard",
            "national_code": national_code(41),
            "first_name": "علی",
            "last_name": "کریمی",
            "father_name": "حسن",
            "birth_date": "۱۳۷۰/۰۵/۱۲",
            "gender": "male",
            "mobile": "",
            "education": "diploma",
            "military_service": "completed",
        }

    def create_payload(self, world, near):
        return {
            "institution": near.institution.registration_number,
            "position": "guard",
            "national_code": "۱۰۰۰۰۰۲۸۷۱",
            "first_name": "علی",
            "last_name": "کریمی",
            "birth_date": "1370/05/12",
            "gender": "male",
            "education": "diploma",
            "military_service": "completed",
        }


def standard_form(**overrides) -> dict:
    form = {
        "code": "PATROL",
        "title": "ضوابط گشت",
        "positions": ["guard"],
        "age_range_enabled": "on",
        "age_range_min": "22",
        "age_range_max": "45",
        "min_education_enabled": "on",
        "min_education_level": "diploma",
    }
    form.update(overrides)
    return form


class TestStandardPermissions(ListTests, DetailTests, CreateTests, UpdateTests, ActionTests):
    """Standards are national rules: whoever reads them reads all; only HQ writes them."""

    model = Standard
    keys = ("active", "draft")
    foreign = None
    visible = {role: {"active", "draft"} for role in ROLES if role != "trainer"}

    @pytest.fixture
    def objects(self, guard_standard):
        draft = StandardFactory(code="GUARD", version=2, status="draft", title="نسخه دوم")
        return {"active": guard_standard, "draft": draft}

    list_url = "/selection/standards/"
    api_list_url = "/api/v1/standards/"
    detail_url = "/selection/standards/{pk}/"
    api_detail_url = "/api/v1/standards/{pk}/"

    create_url = "/selection/standards/new/"
    api_create_url = "/api/v1/standards/"
    create_roles = HQ
    create_event = "standard.create"
    created = {"code": "PATROL", "version": 1, "status": "draft"}
    create_keys = ("active",)

    def create_form(self, world, near):
        return standard_form()

    def create_payload(self, world, near):
        return {
            "code": "PATROL",
            "title": "ضوابط گشت",
            "positions": ["guard"],
            "rules": [{"kind": k, "params": v} for k, v in GUARD_RULES.items()],
        }

    # Only a draft is edited.
    update_url = "/selection/standards/{pk}/edit/"
    api_update_url = "/api/v1/standards/{pk}/"
    update_roles = HQ
    update_event = "standard.update"
    update_keys = ("draft",)
    update_changes = {"title": "نسخه دوم، بازبینی‌شده"}
    api_update = {"title": "نسخه ۲"}

    def update_form(self, world, obj):
        return standard_form(code=obj.code, title="نسخه دوم، بازبینی‌شده", positions=obj.positions)

    actions = {
        "activate": Action(
            roles=HQ,
            event="standard.activate",
            web="/selection/standards/{pk}/activate/",
            api="/api/v1/standards/{pk}/activate/",
            keys=("draft",),
            after={"status": "active"},
        ),
    }


class TestBackgroundCheckPermissions(ListTests, DetailTests, CreateTests):
    """Background checks over the API (on the web they are recorded from the application:
    TestApplicationPermissions' `record_check`). Managers never read them."""

    model = BackgroundCheck
    keys = ("c_a", "c_a2", "c_b")
    foreign = "c_b"
    visible = {
        "hq_admin": {"c_a", "c_a2", "c_b"},
        "hq_analyst": {"c_a", "c_a2", "c_b"},
        "province_officer": {"c_a", "c_a2"},
        "station_officer": {"c_a"},
    }

    @pytest.fixture
    def objects(self, world):
        return {
            f"c{key[4:]}": BackgroundCheckFactory(
                person=EmploymentFactory(institution=getattr(world, key)).person
            )
            for key in KEYS
        }

    api_list_url = "/api/v1/background-checks/"
    api_detail_url = "/api/v1/background-checks/{pk}/"

    api_create_url = "/api/v1/background-checks/"
    create_roles = OFFICERS
    create_event = "background_check.record"
    created = {"provider": "manual", "result": "clear"}
    create_outside = {"api": (400, "person")}

    def create_payload(self, world, near):
        return {
            "person": near.person.pk,
            "result": "clear",
            "checked_on": timezone.localdate().isoformat(),
        }


# --- The pipeline and the results import: no one object ------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_pipeline_is_for_those_who_see_applications(world, apps, client, role):
    response = web(client, getattr(world, role)).get(reverse("vetting:pipeline"))
    assert response.status_code == (200 if role in VISIBLE else 403)


def test_the_pipeline_sends_anonymous_to_login(client, apps):
    response = client.get(reverse("vetting:pipeline"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_pipeline_of_a_foreign_institution_or_province_is_404(world, apps, client):
    web(client, world.manager)
    url = reverse("vetting:pipeline")
    assert client.get(f"{url}?institution={world.inst_a.pk}").status_code == 200
    assert client.get(f"{url}?institution={world.inst_b.pk}").status_code == 404
    web(client, world.province_officer)
    assert client.get(f"{url}?province={world.province_b.pk}").status_code == 404
    assert client.get(f"{url}?province={world.province_a.pk}").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_results_are_imported_by_officers_only(world, client, role):
    user = getattr(world, role)
    allowed = role in OFFICERS
    assert web(client, user).get(reverse("vetting:check_import")).status_code == (
        200 if allowed else 403
    )
    upload = SimpleUploadedFile("r.csv", b"national_code,result,reference,checked_on\n")
    response = api(user).post(
        "/api/v1/background-checks/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.background_checks_import(actor=user, content=b"")
