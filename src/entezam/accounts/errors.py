"""Reason codes of users, roles and sign-in, and their messages."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "not_hq_admin": _("Only an HQ administrator manages users."),
    "unique": _("This username is taken."),
    "not_user_manager": _("Only HQ administrators and province officers manage users."),
    "grant_outside_province": _(
        "A province officer grants station, institution and 197-centre roles within their "
        "own province only."
    ),
    "user_outside_scope": _("This user holds roles outside your province."),
    "password_too_short": _("The password must have at least %(n)s characters."),
    "role_scope_mismatch": _("This role cannot be given this scope."),
    "locked": _("Too many failed sign-in attempts. Try again in %(minutes)s minutes."),
    "slow_down": _(
        "Too many failed sign-ins from your network. Wait %(seconds)s seconds and try again."
    ),
}
