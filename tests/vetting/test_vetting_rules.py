"""Every rule kind: pass, fail and review, at the boundaries."""

import datetime

import pytest

from entezam.vetting.rules import age_on, clean_params, describe, evaluate_rule, load_facts
from tests.institutions.factories import InstitutionFactory
from tests.personnel.factories import EmploymentFactory, PersonFactory
from tests.vetting.factories import BackgroundCheckFactory, MedicalCertificateFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


def verdict(kind, params, person, institution=None):
    institution = institution or InstitutionFactory()
    facts = load_facts([person.pk], {kind}, TODAY)
    app = {"person_id": person.pk, "institution_id": institution.pk}
    return evaluate_rule(kind, clean_params(kind, params), app, facts)


def years_ago(years, days=0):
    return TODAY.replace(year=TODAY.year - years) + datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("birth", "outcome", "code"),
    [
        (years_ago(20), "pass", "age_ok"),  # 20th birthday today
        (years_ago(20, days=1), "fail", "age_low"),  # turns 20 tomorrow
        (years_ago(46, days=1), "pass", "age_ok"),  # still 45
        (years_ago(46), "fail", "age_high"),  # 46 today
    ],
)
def test_age_range_boundaries(birth, outcome, code):
    person = PersonFactory(applicant=True, birth_date=birth)
    assert verdict("age_range", {"min": 20, "max": 45}, person)[:2] == (outcome, code)


def test_age_on_leap_day():
    assert age_on(datetime.date(2004, 2, 29), datetime.date(2025, 2, 28)) == 20
    assert age_on(datetime.date(2004, 2, 29), datetime.date(2025, 3, 1)) == 21


@pytest.mark.parametrize(
    ("education", "outcome"),
    [("below_diploma", "fail"), ("diploma", "pass"), ("bachelor", "pass")],
)
def test_min_education(education, outcome):
    person = PersonFactory(applicant=True, education=education)
    assert verdict("min_education", {"level": "diploma"}, person)[0] == outcome


def test_min_education_bachelor_refuses_associate():
    person = PersonFactory(applicant=True, education="associate")
    assert verdict("min_education", {"level": "bachelor"}, person)[:2] == ("fail", "education_low")


@pytest.mark.parametrize(
    ("gender", "service", "outcome"),
    [
        ("male", "completed", "pass"),
        ("male", "exempt", "pass"),
        ("male", "liable", "fail"),
        ("male", "serving", "fail"),
        ("male", "", "review"),
        ("female", "", "pass"),  # women are exempt from the rule
        ("female", "liable", "pass"),
    ],
)
def test_military_service(gender, service, outcome):
    person = PersonFactory(applicant=True, gender=gender, military_service=service)
    assert verdict("military_service", {}, person)[0] == outcome


def test_background_check_outcomes():
    params = {"valid_days": 365}
    nobody = PersonFactory(applicant=True)
    assert verdict("background_check", params, nobody)[:2] == ("review", "background_none")
    pending = PersonFactory(applicant=True)
    BackgroundCheckFactory(person=pending, result="pending", checked_on=TODAY)
    assert verdict("background_check", params, pending)[:2] == ("review", "background_pending")
    bad = PersonFactory(applicant=True)
    BackgroundCheckFactory(person=bad, result="disqualifying", checked_on=TODAY)
    assert verdict("background_check", params, bad)[:2] == ("fail", "background_disqualifying")
    clear = PersonFactory(applicant=True)
    BackgroundCheckFactory(person=clear, result="clear", checked_on=TODAY - datetime.timedelta(365))
    assert verdict("background_check", params, clear)[:2] == ("pass", "background_clear")
    stale = PersonFactory(applicant=True)
    BackgroundCheckFactory(person=stale, result="clear", checked_on=TODAY - datetime.timedelta(366))
    assert verdict("background_check", params, stale)[:2] == ("review", "background_stale")


def test_background_check_latest_result_counts():
    person = PersonFactory(applicant=True)
    BackgroundCheckFactory(
        person=person, result="pending", checked_on=TODAY - datetime.timedelta(20)
    )
    BackgroundCheckFactory(person=person, result="clear", checked_on=TODAY - datetime.timedelta(2))
    assert verdict("background_check", {}, person)[0] == "pass"


def test_medical_fitness_outcomes():
    none = PersonFactory(applicant=True)
    assert verdict("medical_fitness", {}, none)[:2] == ("review", "medical_none")
    expired = PersonFactory(applicant=True)
    MedicalCertificateFactory(
        person=expired,
        issued_on=TODAY - datetime.timedelta(400),
        valid_until=TODAY - datetime.timedelta(1),
    )
    assert verdict("medical_fitness", {}, expired)[:2] == ("fail", "medical_expired")
    last_day = PersonFactory(applicant=True)
    MedicalCertificateFactory(
        person=last_day, issued_on=TODAY - datetime.timedelta(10), valid_until=TODAY
    )
    assert verdict("medical_fitness", {}, last_day)[0] == "pass"
    unfit = PersonFactory(applicant=True)
    MedicalCertificateFactory(person=unfit, fit=False, issued_on=TODAY, valid_until=TODAY)
    assert verdict("medical_fitness", {}, unfit)[:2] == ("fail", "medical_unfit")


def test_not_employed_elsewhere():
    here = InstitutionFactory()
    elsewhere = EmploymentFactory().person
    assert verdict("not_employed_elsewhere", {}, elsewhere, here)[:2] == (
        "fail",
        "employed_elsewhere",
    )
    staff = EmploymentFactory(institution=here).person
    assert verdict("not_employed_elsewhere", {}, staff, here)[:2] == ("pass", "employed_here")
    ended = EmploymentFactory(end_date=datetime.date(2024, 1, 1), end_reason="resigned")
    assert verdict("not_employed_elsewhere", {}, ended.person, here)[0] == "pass"


@pytest.mark.parametrize(("years_back", "outcome"), [(4, "fail"), (6, "pass"), (5, "pass")])
def test_not_revoked_recently(years_back, outcome):
    person = PersonFactory(applicant=True)
    EmploymentFactory(
        person=person,
        start_date=datetime.date(2010, 1, 1),
        end_date=years_ago(years_back),
        end_reason="revoked",
    )
    assert verdict("not_revoked_recently", {"years": 5}, person)[0] == outcome


def test_dismissal_is_not_a_revocation():
    person = PersonFactory(applicant=True)
    EmploymentFactory(
        person=person,
        start_date=datetime.date(2010, 1, 1),
        end_date=years_ago(1),
        end_reason="dismissed",
    )
    assert verdict("not_revoked_recently", {"years": 5}, person)[0] == "pass"


def test_params_are_validated_with_field_names():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        clean_params("age_range", {"min": 50, "max": 30})
    assert "age_range_max" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        clean_params("not_revoked_recently", {"years": "x"})
    assert "not_revoked_recently_years" in exc.value.message_dict


def test_describe_in_persian_and_english():
    from django.utils import translation

    with translation.override("fa"):
        assert "۱۹" in describe("age_low", {"age": 19, "min": 20, "max": 45})
    with translation.override("en"):
        text = describe("medical_expired", {"date": "2025-03-21"})
        assert "1404/01/01" in text and "expired" in text
