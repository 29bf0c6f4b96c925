"""Reason codes of the feedback app and their messages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "text_required": _("Write your message."),
    "text_too_short": _("The message is too short: write at least %(min)s characters."),
    "text_too_long": _("The message is too long: at most %(max)s characters."),
    "name_too_long": _("The name is too long: at most %(max)s characters."),
    "contact_invalid": _("Enter a mobile number (09xxxxxxxxx) or an e-mail address."),
    "place_too_long": _("The place is too long: at most %(max)s characters."),
    "county_not_in_province": _("The county is not in the chosen province."),
    "unknown_category": _("Unknown category."),
    "too_many_submissions": _("Too many messages from this address; try again in an hour."),
    "not_open": _("This message is already resolved or closed."),
    "not_new": _("This message has already been triaged."),
    "not_handling": _("Only a message that is assigned or in progress can be changed here."),
    "not_resolved": _("Only a resolved message can be confirmed or disputed."),
    "dispute_window_over": _("The %(days)s days for confirming or disputing have passed."),
    "reply_required": _("Write the public reply the citizen will read."),
    "reply_too_long": _("The reply is too long: at most %(max)s characters."),
    "responsible_required": _("Choose the institution or police unit that is responsible."),
    "responsible_is_current": _("The message is already assigned there."),
    "reason_required": _("Say why (at least 5 characters)."),
    "top_level": _("The message is already at HQ, the highest level."),
    "subject_not_found": _("No subject with this number was found."),
}
