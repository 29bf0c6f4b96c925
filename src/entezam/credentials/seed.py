"""Demo cards: everyone in the demo who qualifies gets a card, issued through the service;
then two weeks of public verifications of them (and of a few unknown tokens) through the
public check itself, spread over the days so the verifications page has its chart."""

from __future__ import annotations

import datetime

from django.utils import timezone

from entezam.institutions.models import Institution

from .models import Card, VerificationCheck
from .services import cards_issue_bulk
from .verification import drain_checks, verify

DEMO_CHECK_DAYS = 14


def demo_seed(*, actor, rng, options) -> str | None:
    institutions = Institution.objects.filter(
        employments__person__certificates__status="valid"
    ).distinct()
    issued = sum(
        len(cards_issue_bulk(actor=actor, institution=institution).issued)
        for institution in institutions
    )
    if not issued:
        return None  # a re-run issues nothing twice and checks nothing again
    if VerificationCheck.objects.exists():
        return f"cards issued: {issued}"
    tokens = list(Card.objects.order_by("pk").values_list("token", flat=True))
    before = VerificationCheck.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    addresses = [f"198.51.100.{n}" for n in range(1, 40)]
    for _ in range(min(400, 12 * len(tokens))):
        token = (
            rng.choice(tokens)
            if rng.random() < 0.92
            else f"guess{rng.randrange(10**9):09d}xyzxyzxyzxyz"
        )
        verify(token, rng.choice(addresses), channel="page" if rng.random() < 0.8 else "api")
    drain_checks()
    now = timezone.now()
    checks = list(VerificationCheck.objects.filter(pk__gt=before).order_by("pk"))
    for check in checks:
        check.time = now - datetime.timedelta(
            days=rng.randrange(DEMO_CHECK_DAYS), minutes=rng.randrange(24 * 60)
        )
    VerificationCheck.objects.bulk_update(checks, ["time"], batch_size=500)
    return f"cards issued: {issued}; verifications: {VerificationCheck.objects.count()}"
