"""Reason codes of institutions and their lifecycle, and their messages."""

from django.utils.translation import gettext_lazy as _

from entezam.core.errors import MESSAGES as CORE_MESSAGES
from entezam.geo.errors import MESSAGES as GEO_MESSAGES

MESSAGES = {
    "unit_in_other_province": _("The supervising police unit is in another province."),
    "unit_cannot_supervise": _("An institution is supervised by a station, post or command."),
    "county_in_other_province": GEO_MESSAGES["county_in_other_province"],
    "registration_fixed": _("The registration number is fixed once the application is accepted."),
    "unknown_action": _("Unknown action."),
    "invalid_transition": CORE_MESSAGES["invalid_transition"],
    "licence_number_required": _("A licence number is needed to activate."),
    "licence_expiry_required": _("A licence expiry date is needed to activate."),
    "licence_expired": _("The licence expiry date has passed."),
    "operating_without_licence_number": _("An operating institution must have a licence number."),
    "operating_without_licence_expiry": _(
        "An operating institution must have a licence expiry date."
    ),
    "expiry_before_issue": _("The expiry date must be after the issue date."),
    "letter_too_long": _("A letter number has at most %(limit)s characters."),
    "letter_invalid_chars": _(
        "A letter number may hold only digits, letters, spaces and the signs / - ."
    ),
    "letter_not_for_action": _("This action takes no letter number or attachment."),
    "attachment_too_large": _("The attachment is larger than %(limit)s MB."),
    "attachment_empty": _("The attachment is empty."),
    "attachment_wrong_type": _(
        "The attachment must be a PDF, JPEG or PNG file (its content was checked, not its name)."
    ),
}
