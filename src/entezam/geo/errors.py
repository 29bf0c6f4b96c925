"""Reason codes of police units and geography, and their messages."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "parent_kind": _("This kind of unit must stand under: %(kinds)s."),
    "hq_has_no_parent": _("HQ has no parent unit."),
    "own_parent": _("A unit cannot be its own parent."),
    "parent_in_other_province": _("The parent unit is in another province."),
    "county_in_other_province": _("The county is in another province."),
}
