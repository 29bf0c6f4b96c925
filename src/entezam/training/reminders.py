"""Periodic training work: certificates past expiry become expired, and the institution
of a person whose mandatory certificate lapses is reminded 90, 60 and 30 days before.

Both are idempotent: `entezam tick` or beat may run them any number of times a day (a
reminder's dedupe key names the certificate and the threshold)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from entezam.core.persian import format_jalali
from entezam.notifications.selectors import users_with_role
from entezam.notifications.services import notify
from entezam.personnel.models import Employment

from .choices import REMINDER_DAYS
from .models import Certificate, valid_certificates
from .selectors import mandatory_courses
from .services import certificates_expire


def threshold_for(days_left: int) -> int | None:
    """The reminder due for a certificate with `days_left` days to go: the smallest
    threshold at or above it (30, 60 or 90), so a missed day is caught up once."""
    for threshold in sorted(REMINDER_DAYS):
        if days_left <= threshold:
            return threshold
    return None


def lapsing_reminders(today: datetime.date | None = None) -> int:
    """Notify the managers of each person's current institution about their mandatory
    certificates lapsing within 90 days; returns the notifications created."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(REMINDER_DAYS))
    created = 0
    for course in mandatory_courses():
        staff = Employment.objects.filter(
            end_date__isnull=True, position__in=course.mandatory_for
        ).select_related("institution")
        lapsing = (
            valid_certificates(today)
            .filter(course=course, expires_on__lte=horizon, person__in=staff.values("person"))
            .select_related("person", "course")
            .order_by("pk")
        )
        for certificate in lapsing.iterator(chunk_size=1000):
            created += _remind(certificate, staff, today)
    return created


def _remind(certificate: Certificate, staff, today: datetime.date) -> int:
    threshold = threshold_for((certificate.expires_on - today).days)
    if threshold is None:
        return 0
    if (
        valid_certificates(today)
        .filter(
            person_id=certificate.person_id,
            course_id=certificate.course_id,
            expires_on__gt=certificate.expires_on,
        )
        .exists()
    ):
        return 0  # already renewed
    with translation.override("fa"):
        title = str(
            _("The certificate of %(name)s (%(course)s) lapses on %(date)s")
            % {
                "name": certificate.person.full_name,
                "course": certificate.course.title,
                "date": format_jalali(certificate.expires_on),
            }
        )
    created = 0
    for employment in staff.filter(person_id=certificate.person_id):
        with transaction.atomic():
            created += len(
                notify(
                    recipients=users_with_role(
                        "institution_manager", institution=employment.institution_id
                    ),
                    event="training.certificate_lapsing",
                    title=title,
                    url=certificate.get_absolute_url(),
                    obj=certificate,
                    dedupe_key=f"certificate-lapsing:{certificate.pk}:{threshold}",
                )
            )
    return created


def training_daily() -> dict:
    """The periodic task: expire, then remind."""
    return {"expired": certificates_expire(), "reminded": lapsing_reminders()}
