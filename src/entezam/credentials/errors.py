"""Reason codes of licence cards, and their messages."""

from django.utils.translation import gettext_lazy as _

from entezam.core.errors import MESSAGES as CORE_MESSAGES

MESSAGES = {
    "reason_required": CORE_MESSAGES["reason_required"],
    "no_approved_application": _("No approved selection application at this institution."),
    "no_active_employment": _("No current employment at this institution."),
    "certificate_missing": _("No valid certificate of the mandatory course: %(courses)s."),
    "institution_not_operating": _(
        "The institution is “%(status)s”; cards are issued only for developing or active ones."
    ),
    "already_carded": _("This person already holds an active card at this institution."),
    "card_not_live": _("The card is “%(status)s” and cannot be replaced."),
}
