"""Medical fitness certificates: recorded through the application page, used by screening."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from entezam.core.models import AuditEvent
from entezam.core.persian import format_jalali
from entezam.vetting import services
from entezam.vetting.models import MedicalCertificate
from tests.vetting.factories import ApplicationFactory, eligible_applicant

pytestmark = pytest.mark.django_db


def jalali(days_from_today: int) -> str:
    day = timezone.localdate() + datetime.timedelta(days=days_from_today)
    return format_jalali(day, digits="en")


@pytest.fixture
def application(world, guard_standard):
    return ApplicationFactory(
        person=eligible_applicant(), institution=world.inst_a, standard=guard_standard
    )


def test_manager_records_a_certificate(world, application, client):
    client.force_login(world.manager)
    url = reverse("vetting:medical_record", args=[application.pk])
    assert client.get(url).status_code == 200
    before = application.person.medical_certificates.count()
    response = client.post(
        url,
        {"fit": "1", "issued_on": jalali(-3), "valid_until": jalali(300), "issuer": "درمانگاه"},
    )
    assert response.status_code == 302
    assert application.person.medical_certificates.count() == before + 1
    assert AuditEvent.objects.filter(action="medical_certificate.record").exists()


def test_dates_out_of_order_are_refused_on_the_field(world, application, client):
    client.force_login(world.manager)
    url = reverse("vetting:medical_record", args=[application.pk])
    before = MedicalCertificate.objects.count()
    response = client.post(url, {"fit": "1", "issued_on": jalali(-3), "valid_until": jalali(-5)})
    assert response.status_code == 200
    assert "valid_until" in response.context["form"].errors
    assert MedicalCertificate.objects.count() == before


def test_an_expired_certificate_then_a_new_one_changes_the_screening(world, guard_standard):
    person = eligible_applicant()
    person.medical_certificates.all().delete()
    app = ApplicationFactory(person=person, institution=world.inst_a, standard=guard_standard)
    services.medical_certificate_record(
        actor=world.manager,
        person=person,
        fit=True,
        issued_on=timezone.localdate() - datetime.timedelta(days=400),
        valid_until=timezone.localdate() - datetime.timedelta(days=30),
    )
    services.applications_screen(actor=world.hq_admin, applications=[app.pk])
    result = app.rule_results.get(kind="medical_fitness")
    assert result.outcome == "fail"
