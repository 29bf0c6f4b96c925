"""Licence cards: eligibility and each refusal, numbers and tokens, the status cascade,
replacement, expiry by the job; the public page and JSON leak nothing private, unknown and
malformed tokens answer "unknown" (404), checks are recorded and rate-limited; cards of
another scope are 404."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from entezam.core.models import AuditEvent
from entezam.credentials import services
from entezam.credentials.models import Card, VerificationCheck
from entezam.institutions.services import (
    institution_reinstate,
    institution_revoke,
    institution_suspend,
)
from entezam.personnel.models import Employment
from entezam.personnel.services import employment_end
from tests.accounts.factories import user_with_role
from tests.permissions import api, web
from tests.personnel.factories import EmploymentFactory, PersonFactory
from tests.training.conftest import approved_applicant
from tests.training.factories import CertificateFactory, CourseFactory
from tests.vetting.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REASON = "گزارش بازرسی استان"


@pytest.fixture
def course(db):
    return CourseFactory(code="GRD-1", mandatory_for=["guard"])


@pytest.fixture
def carded(world, course):
    """A certified guard of inst_a with a card."""
    person = approved_applicant(world.inst_a, mobile="09121112233", address="تهران، خیابان آزادی")
    CertificateFactory(
        person=person, course=course, expires_on=TODAY + datetime.timedelta(days=200)
    )
    employment = Employment.objects.get(person=person)
    return services.card_issue(actor=world.manager, employment=employment)


def codes(exc):
    return {e.code for errors in exc.error_dict.values() for e in errors}


class TestIssue:
    def test_a_qualified_guard_gets_a_card(self, world, carded):
        assert carded.status == "active"
        assert carded.number == f"{world.province_a.code}-0000001"
        assert len(carded.token) >= 22  # 24 random bytes, URL-safe
        # Never later than the earliest mandatory certificate (or the licence).
        assert carded.expires_on == TODAY + datetime.timedelta(days=200)
        assert AuditEvent.objects.get(action="card.issue").actor == world.manager

    def test_each_missing_condition_is_named(self, world, course):
        person = PersonFactory(applicant=True)
        ApplicationFactory(person=person, institution=world.inst_a, status="interview")
        employment = EmploymentFactory(person=person, institution=world.inst_a, position="guard")
        world.inst_a.status = "suspended"
        world.inst_a.save()
        with pytest.raises(ValidationError) as exc:
            services.card_issue(actor=world.hq_admin, employment=employment)
        assert codes(exc.value) == {
            "no_approved_application",
            "certificate_missing",
            "institution_not_operating",
        }
        assert course.title in " ".join(exc.value.messages)
        assert not Card.objects.exists()

    def test_an_ended_employment_gets_no_card(self, world, course):
        person = approved_applicant(world.inst_a)
        CertificateFactory(person=person, course=course)
        employment = Employment.objects.get(person=person)
        employment.end_date, employment.end_reason = TODAY, "resigned"
        employment.save()
        with pytest.raises(ValidationError) as exc:
            services.card_issue(actor=world.hq_admin, employment=employment)
        assert "no_active_employment" in codes(exc.value)

    def test_the_licence_caps_the_expiry_and_a_second_card_is_refused(self, world, course):
        world.inst_a.licence_expires_on = TODAY + datetime.timedelta(days=50)
        world.inst_a.save()
        person = approved_applicant(world.inst_a)
        CertificateFactory(person=person, course=course)
        employment = Employment.objects.get(person=person)
        card = services.card_issue(actor=world.manager, employment=employment)
        assert card.expires_on == TODAY + datetime.timedelta(days=50)
        with pytest.raises(ValidationError) as exc:
            services.card_issue(actor=world.manager, employment=employment)
        assert codes(exc.value) == {"already_carded"}

    def test_bulk_issue_for_an_institution(self, world, course):
        for _ in range(3):
            CertificateFactory(person=approved_applicant(world.inst_a), course=course)
        approved_applicant(world.inst_a)  # no certificate
        report = services.cards_issue_bulk(actor=world.manager, institution=world.inst_a)
        assert len(report.issued) == 3 and len(report.refused) == 1
        numbers = sorted(c.number for c in report.issued)
        assert len(set(numbers)) == 3
        again = services.cards_issue_bulk(actor=world.manager, institution=world.inst_a)
        assert again.issued == []

    def test_a_manager_cannot_issue_for_another_institution(self, world, course):
        person = approved_applicant(world.inst_b)
        CertificateFactory(person=person, course=course)
        from django.http import Http404

        with pytest.raises(Http404):
            services.card_issue(
                actor=world.manager, employment=Employment.objects.get(person=person)
            )


class TestCascade:
    def test_employment_ended_revokes(self, world, carded):
        employment_end(
            actor=world.hq_admin, employment=carded.employment, end_date=TODAY, reason="resigned"
        )
        assert services.cards_reconcile() == 1
        carded.refresh_from_db()
        assert carded.status == "revoked"
        assert AuditEvent.objects.filter(action="card.revoked", object_id=str(carded.pk)).exists()

    def test_suspension_suspends_and_reinstatement_restores(self, world, carded):
        institution_suspend(actor=world.hq_admin, institution=world.inst_a, reason=REASON)
        services.cards_reconcile()
        carded.refresh_from_db()
        assert carded.status == "suspended"
        institution_reinstate(actor=world.hq_admin, institution=world.inst_a, reason=REASON)
        assert services.cards_reconcile() == 1
        carded.refresh_from_db()
        assert carded.status == "active"
        assert services.cards_reconcile() == 0

    def test_institution_revoked_revokes(self, world, carded):
        institution_revoke(actor=world.hq_admin, institution=world.inst_a, reason=REASON)
        services.cards_reconcile()
        carded.refresh_from_db()
        assert carded.status == "revoked"

    def test_expiry_by_the_job(self, world, carded):
        assert services.cards_reconcile(today=carded.expires_on) == 0
        assert services.cards_reconcile(today=carded.expires_on + datetime.timedelta(days=1)) == 1
        carded.refresh_from_db()
        assert carded.status == "expired"

    def test_replacement_gets_a_new_number_and_token(self, world, carded):
        new = services.card_replace(actor=world.manager, card=carded, reason="کارت مفقود شده است")
        carded.refresh_from_db()
        assert carded.status == "replaced" and carded.replaced_by == new
        assert new.number != carded.number and new.token != carded.token
        assert new.status == "active"


PRIVATE = ("national_code", "birth_date", "mobile", "address")


def private_values(person):
    return [person.national_code, person.birth_date.isoformat(), person.mobile, person.address]


class TestPublicVerification:
    def test_the_page_says_may_work_then_suspended(self, client, world, carded):
        response = client.get(f"/v/{carded.token}")
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-result="active"' in page
        assert carded.person.last_name in page and world.inst_a.name in page
        institution_suspend(actor=world.hq_admin, institution=world.inst_a, reason=REASON)
        # Before any reconcile: the answer follows the cause.
        page = client.get(f"/v/{carded.token}").content.decode()
        assert 'data-result="suspended"' in page

    @pytest.mark.parametrize("state", ["active", "revoked", "replaced"])
    def test_no_private_field_leaks(self, client, world, carded, state):
        if state == "revoked":
            institution_revoke(actor=world.hq_admin, institution=world.inst_a, reason=REASON)
        if state == "replaced":
            services.card_replace(actor=world.manager, card=carded, reason="کارت آسیب دیده است")
        page = client.get(f"/v/{carded.token}").content.decode()
        body = api().get(f"/api/v1/public/verify/{carded.token}").json()
        assert body["result"] == state
        assert not set(PRIVATE) & set(body)
        from entezam.core.persian import to_persian_digits

        for value in private_values(carded.person):
            assert value not in page and to_persian_digits(value) not in page
            assert value not in str(body)

    def test_the_page_speaks_the_readers_language_and_escapes_stored_text(
        self, client, world, carded, settings
    ):
        from entezam.core.persian import to_persian_digits
        from entezam.institutions.models import Institution

        fa = client.get(f"/v/{carded.token}").content.decode()
        assert "مجاز به فعالیت" in fa and "May work" not in fa
        assert to_persian_digits(carded.number) in fa and carded.number not in fa
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        en = client.get(f"/v/{carded.token}").content.decode()
        assert "May work" in en and carded.number in en
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
        assert f"/v/{carded.token}/photo.jpg" not in en  # no photo, no image
        # Whatever a stored name holds, the page shows it as text.
        Institution.objects.filter(pk=world.inst_a.pk).update(name='موسسه <b>"الف"</b> & شرکا')
        page = client.get(f"/v/{carded.token}").content.decode()
        assert "<b>" not in page
        assert "موسسه &lt;b&gt;&quot;الف&quot;&lt;/b&gt; &amp; شرکا" in page

    @pytest.mark.parametrize(
        "token",
        [
            "",
            "abc",
            "x" * 5000,
            "کارت‌شناسایی",
            "../../etc/passwd",
            "a/b/c",
            "%00",
            "' OR 1=1 --",
            "A" * 32,
        ],
    )
    def test_unknown_and_malformed_tokens_are_unknown_never_500(self, client, token):
        response = client.get(f"/v/{token}")
        assert response.status_code == 404
        assert 'data-result="unknown"' in response.content.decode()
        response = api().get(f"/api/v1/public/verify/{token}")
        assert response.status_code == 404 and response.json() == {"result": "unknown"}

    def test_checks_are_recorded_with_a_hashed_address(self, client, carded):
        client.get(f"/v/{carded.token}", REMOTE_ADDR="203.0.113.9")
        client.get("/v/nonexistent-token-0000000000", REMOTE_ADDR="203.0.113.9")
        checks = list(VerificationCheck.objects.order_by("id"))
        assert [c.result for c in checks] == ["active", "unknown"]
        assert checks[0].card == carded
        assert "203.0.113.9" not in checks[0].ip_hash and len(checks[0].ip_hash) == 64

    def test_rate_limited_per_address(self, client, carded, settings):
        settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE = 3
        codes_seen = [
            client.get(f"/v/{carded.token}", REMOTE_ADDR="198.51.100.7").status_code
            for _ in range(5)
        ]
        assert codes_seen == [200, 200, 200, 429, 429]
        assert client.get(f"/v/{carded.token}", REMOTE_ADDR="198.51.100.8").status_code == 200
        assert (
            api()
            .get(f"/api/v1/public/verify/{carded.token}", REMOTE_ADDR="198.51.100.7")
            .status_code
            == 429
        )


class TestOfficerPages:
    def test_lookup_by_number_and_person_with_the_current_employer(self, client, world, carded):
        operator = user_with_role("center_operator", username="op197")
        client = web(client, operator)
        page = client.get(f"/cards/?q={carded.number}").content.decode()
        assert carded.get_absolute_url() in page
        page = client.get(f"/cards/?q={carded.person.national_code}").content.decode()
        assert carded.get_absolute_url() in page
        detail = client.get(carded.get_absolute_url()).content.decode()
        assert world.inst_a.name in detail

    def test_another_scope_is_404(self, client, world, carded):
        other = user_with_role("institution_manager", world.inst_b, username="m_b")
        assert web(client, other).get(carded.get_absolute_url()).status_code == 404
        assert api(other).get(f"/api/v1/cards/{carded.pk}/").status_code == 404
        assert api(other).get("/api/v1/cards/").json()["results"] == []
        body = api(world.manager).get("/api/v1/cards/").json()["results"][0]
        assert body["number"] == carded.number and body["status"] == "active"
        assert body["verification_url"].endswith(f"/v/{carded.token}")

    def test_issue_and_replace_from_the_pages(self, client, world, course):
        person = approved_applicant(world.inst_a)
        CertificateFactory(person=person, course=course)
        client = web(client, world.manager)
        response = client.post(
            "/cards/issue/", {"employment": Employment.objects.get(person=person).pk}
        )
        card = Card.objects.get()
        assert response.status_code == 302 and response["Location"] == card.get_absolute_url()
        response = client.post(f"/cards/{card.pk}/replace/", {"reason": "کارت مفقود شد"})
        assert Card.objects.count() == 2 and Card.objects.get(pk=card.pk).status == "replaced"
        stranger = approved_applicant(world.inst_b)
        response = client.post(
            "/cards/issue/", {"employment": Employment.objects.get(person=stranger).pk}
        )
        assert response.status_code == 404


def test_cards_for_those_who_passed_a_session_from_its_page(client, world, course):
    from tests.training.factories import EnrolmentFactory, SessionFactory

    session = SessionFactory(course=course, province=world.province_a, status="completed")
    passed = approved_applicant(world.inst_a)
    CertificateFactory(person=passed, course=course)
    EnrolmentFactory(session=session, person=passed, institution=world.inst_a, result="passed")
    client = web(client, world.manager)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "session-cards" in page
    response = client.post(
        "/cards/issue/", {"session": session.pk, "next": session.get_absolute_url()}
    )
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    card = Card.objects.get()
    assert card.person == passed
    person_page = client.get(f"/people/{passed.pk}/").content.decode()
    assert card.number in person_page or card.get_absolute_url() in person_page


def test_the_demo_step_issues_cards_once(world, carded, course):
    import random

    from entezam.accounts.seed import system_actor
    from entezam.credentials.seed import demo_seed

    CertificateFactory(person=approved_applicant(world.inst_a), course=course)
    said = demo_seed(actor=system_actor(), rng=random.Random(1), options={})
    assert said.startswith("cards issued: 1; verifications: ")
    # The verifications went through the public check and spread over two weeks.
    checks = list(VerificationCheck.objects.all())
    assert len(checks) > 10 and {c.result for c in checks} >= {"active", "unknown"}
    assert len({c.time.date() for c in checks}) > 3
    assert demo_seed(actor=system_actor(), rng=random.Random(1), options={}) is None
    assert VerificationCheck.objects.count() == len(checks)


def test_the_public_register_lists_institutions_not_people(client, world, carded):
    page = client.get("/institutions/public/?q=امین").content.decode()
    assert world.inst_a.name in page and world.inst_a.province.name in page
    assert carded.person.last_name not in page and carded.person.national_code not in page
    assert "register-refine" not in page


def test_the_public_register_asks_to_refine_a_broad_search(client, world):
    from tests.institutions.factories import InstitutionFactory

    InstitutionFactory.create_batch(51, name="موسسه حفاظتی پارس نمونه")
    page = client.get("/institutions/public/?q=پارس").content.decode()
    assert "register-refine" in page and "register-table" not in page
    assert client.get("/institutions/public/?q=" + "x" * 5000).status_code == 200


def test_the_public_page_shows_the_holders_photo_only_through_the_token(
    client, world, carded, settings, tmp_path
):
    import io as _io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from entezam.personnel.services import person_photo_set

    settings.MEDIA_ROOT = tmp_path
    buffer = _io.BytesIO()
    Image.new("RGB", (60, 80), "navy").save(buffer, "JPEG")
    person_photo_set(
        actor=world.hq_admin,
        person=carded.person,
        upload=SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg"),
    )
    page = client.get(f"/v/{carded.token}").content.decode()
    assert f"/v/{carded.token}/photo.jpg" in page
    response = client.get(f"/v/{carded.token}/photo.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client.get("/v/unknown-token-0000000000000/photo.jpg").status_code == 404


@pytest.mark.django_db
class TestTheIssueForm:
    """Cards are issued per institution chosen in a searchable select fed by the scoped
    lookup: never a list of every institution in the page."""

    @staticmethod
    def _select(page: str) -> str:
        start = page.index('<select name="institution"')
        return page[start : page.index("</select>", start)]

    def test_hq_searches_instead_of_scrolling_every_institution(self, client, world):
        page = web(client, world.hq_admin).get("/cards/", secure=True).content.decode()
        select = self._select(page)
        assert 'data-lookup="/lookup/institution/"' in select
        assert select.count("<option") == 1  # the empty choice only
        assert world.inst_a.name not in select and world.inst_b.name not in select

    def test_a_manager_finds_their_one_institution_chosen(self, client, world):
        page = web(client, world.manager).get("/cards/", secure=True).content.decode()
        select = self._select(page)
        assert f'<option value="{world.inst_a.pk}" selected>{world.inst_a.name}</option>' in select
        assert world.inst_b.name not in page  # the foreign institution, nowhere
