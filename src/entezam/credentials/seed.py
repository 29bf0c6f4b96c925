"""Demo cards: everyone in the demo who qualifies gets a card, issued through the service."""

from __future__ import annotations

from entezam.institutions.models import Institution

from .services import cards_issue_bulk


def demo_seed(*, actor, rng, options) -> str | None:
    institutions = Institution.objects.filter(
        employments__person__certificates__status="valid"
    ).distinct()
    issued = sum(
        len(cards_issue_bulk(actor=actor, institution=institution).issued)
        for institution in institutions
    )
    return f"cards issued: {issued}" if issued else None
