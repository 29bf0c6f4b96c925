from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.accounts.choices import Role


class InstitutionKind(models.TextChoices):
    GUARDING = "guarding", _("Guarding and protection")
    ESCORT = "escort", _("Escort and cash-in-transit")
    ELECTRONIC = "electronic", _("Electronic security and monitoring")
    EVENTS = "events", _("Venue and event security")


class InstitutionStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    DEVELOPING = "developing", _("Developing")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Licence revoked")
    CLOSED = "closed", _("Closed")


S = InstitutionStatus
OPEN_STATUSES = (S.APPLICANT, S.DEVELOPING, S.ACTIVE, S.SUSPENDED)
# Institutions allowed to operate: they hire staff and take rosters and applicants.
OPERATING_STATUSES = (S.ACTIVE, S.DEVELOPING)


class Transition(models.TextChoices):
    """Lifecycle actions; each is also the permission name and the audit verb."""

    DEVELOP = "develop", _("Start development")
    ACTIVATE = "activate", _("Activate licence")
    SUSPEND = "suspend", _("Suspend")
    REINSTATE = "reinstate", _("Reinstate")
    REVOKE = "revoke", _("Revoke licence")
    CLOSE = "close", pgettext_lazy("institution lifecycle", "Close")


# action -> (statuses it starts from, status it ends in, roles that may take it)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, frozenset[str]]] = {
    Transition.DEVELOP: (
        (S.APPLICANT,),
        S.DEVELOPING,
        frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER}),
    ),
    Transition.ACTIVATE: ((S.DEVELOPING,), S.ACTIVE, frozenset({Role.HQ_ADMIN})),
    Transition.SUSPEND: (
        (S.ACTIVE,),
        S.SUSPENDED,
        frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER}),
    ),
    Transition.REINSTATE: (
        (S.SUSPENDED,),
        S.ACTIVE,
        frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER}),
    ),
    Transition.REVOKE: ((S.ACTIVE, S.SUSPENDED), S.REVOKED, frozenset({Role.HQ_ADMIN})),
    Transition.CLOSE: (OPEN_STATUSES, S.CLOSED, frozenset({Role.HQ_ADMIN, Role.PROVINCE_OFFICER})),
}

# Actions whose dialog takes the letter that ordered them: its number and a scan of it.
LETTER_ACTIONS = (Transition.SUSPEND, Transition.REVOKE)

# What follows an action, as its dialog says before it is confirmed.
CONSEQUENCES = {
    Transition.SUSPEND: (
        _(
            "Every licence card of its staff shows as suspended to whoever checks it, until "
            "the institution is reinstated."
        ),
        _("While suspended it cannot hire staff, open applications or import a roster."),
        _("Its current employments stay as they are; reinstating restores the cards."),
    ),
    Transition.REVOKE: (
        _("Every licence card of its staff is revoked, for good."),
        _("It can no longer hire staff, open applications or import a roster."),
        _("A revoked licence cannot be reinstated; the institution would apply anew."),
    ),
    Transition.CLOSE: (
        _("Every licence card of its staff is revoked, for good."),
        _("It can no longer hire staff, open applications or import a roster."),
    ),
}

STATUS_COLORS = {
    S.APPLICANT: "secondary",
    S.DEVELOPING: "info",
    S.ACTIVE: "success",
    S.SUSPENDED: "warning",
    S.REVOKED: "danger",
    S.CLOSED: "dark",
}
