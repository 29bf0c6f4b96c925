"""The home panel that tells a role what it will do here while its tools are not in the
product yet (the 197 centre's operator, the trainer): no empty charts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .choices import Role

ROLE_INTRO = {
    Role.CENTER_OPERATOR: _(
        "As a 197 centre operator you will record citizens' reports about guards and "
        "institutions here, follow each one to its answer, and look up whether a guard is "
        "licensed. Those tools open on this page as they arrive."
    ),
    Role.TRAINER: _(
        "As a trainer you will plan courses, enrol guards, record attendance and results, "
        "and issue training certificates here. Those tools open on this page as they arrive."
    ),
}
INTRO_ROLES = frozenset(ROLE_INTRO)


def role_intro_panel(request) -> dict | None:
    roles = request.user.roles
    intros = [
        {"role": Role(role).label, "text": text}
        for role, text in ROLE_INTRO.items()
        if role in roles
    ]
    return {"intros": intros} if intros else None
