"""Card panels on other apps' pages: a person's cards, and issuing cards to a session's
passed participants."""

from __future__ import annotations

from entezam.core.scoping import allowed_roles

from .models import Card


def person_cards_panel(request, person) -> dict | None:
    user = request.user
    if not allowed_roles(user, Card, "view"):
        return None
    cards = Card.objects.visible_to(user).filter(person=person).select_related("institution")
    return {"cards": list(cards[:20])}


def session_cards_panel(request, session) -> dict | None:
    if session.status != "completed" or not allowed_roles(request.user, Card, "add"):
        return None
    passed = session.enrolments.filter(result="passed").count()
    return {"session": session, "passed": passed} if passed else None
