"""Reason codes of people and employment, and their messages."""

from django.utils.translation import gettext_lazy as _

from entezam.core.errors import MESSAGES as CORE_MESSAGES

NAME_LABEL = _("name")
# `check_person_name`; `label` names the name (first, last, father's).
NAME_MESSAGES = {
    "empty": CORE_MESSAGES["empty"],
    "name_invalid_chars": _(
        "A name may contain only Persian or Latin letters, spaces, ZWNJ, hyphens and "
        "apostrophes, and must begin and end with a letter."
    ),
}

MESSAGES = {
    "national_code_fixed": _("The national code identifies the person and cannot be edited."),
    "not_editor": _("Only HQ or the institution employing this person may edit it."),
    "unknown_position": _("Unknown position."),
    "institution_not_operating": _("The institution is “%(status)s” and cannot employ staff."),
    "start_before_birth": _("The start date is before the birth date."),
    "required_for_men": _("Military service status is required for men."),
    # Any active employment, here or elsewhere: a person holds one at a time.
    "already_employed": _(
        "This person is already employed (at this or another institution); their current "
        "employment must end first."
    ),
    # Refused wherever it matters: an approval, a registration, a roster row, a rule.
    "employed_elsewhere": _(
        "This person is actively employed at another institution; that employment must end first."
    ),
    # An intake for a registered national code whose details contradict the person's.
    "identity_mismatch": _(
        "This does not match the person registered under this national code. Check the "
        "national code and the details; a registered person's identity is changed only by "
        "HQ or the institution that employs them."
    ),
    "too_many_lookups": _(
        "You have searched for more than %(limit)s national codes in the last hour; try "
        "again later, or search by name."
    ),
    "ended": _("This employment has already ended."),
    "end_reason_required": _("Choose why the employment ends."),
    "end_before_start": _("The end date is before the start date."),
    "photo_invalid": _("The photo cannot be read; upload a JPEG, PNG or WebP image."),
    "photo_too_large": _("The photo is larger than %(limit)s MB."),
}
