from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.core.registry import (
    register_action_labels,
    register_change_keys,
    register_nav,
    register_object_url,
    register_role_labels,
)


class AccountsConfig(AppConfig):
    name = "entezam.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    url_prefix = "accounts/"

    def ready(self) -> None:
        from entezam.core.models import AuditEvent, Job
        from entezam.core.scoping import register_model_action

        from . import signals  # noqa: F401  (records failed sign-ins and lockouts)
        from .choices import AUDIT_READERS, Role

        register_role_labels(dict(Role.choices))
        register_action_labels(
            {
                "user.create": _("User created"),
                "user.update": _("User edited"),
                "user.password_set": _("Password set by an administrator"),
                "role_assignment.grant": _("Role granted"),
                "role_assignment.revoke": _("Role withdrawn"),
                "api_token.issue": _("API token issued"),
                "login.failed": _("Failed sign-in"),
                "login.locked": _("Account locked after failed sign-ins"),
                "user.password_reset": _("Password set by an administrator"),
                "user.unlock": _("Account unlocked"),
            }
        )
        register_change_keys(
            {"failures_cleared": _("failed sign-ins cleared")}, scope="user.unlock"
        )
        register_object_url("accounts.user", lambda pk: reverse("accounts:user_detail", args=[pk]))
        register_nav(
            "accounts:user_list",
            _("Users"),
            "people-fill",
            section="system",
            order=15,
            visible=lambda user: user.has_role(Role.HQ_ADMIN, Role.PROVINCE_OFFICER),
        )
        # The framework's own models get their permissions from the roles defined here.
        register_model_action(AuditEvent, "view", AUDIT_READERS)
        register_model_action(Job, "view", Role.values)
        register_model_action(Job, "view_all", {Role.HQ_ADMIN})
        register_nav(
            "api-docs",
            _("API"),
            "code-slash",
            section="system",
            order=20,
            visible=lambda user: user.has_role(Role.HQ_ADMIN, Role.HQ_ANALYST),
        )
        register_nav(
            "admin:index",
            pgettext_lazy("navigation", "Administration"),
            "gear",
            section="system",
            order=30,
            visible=lambda user: user.has_role(Role.HQ_ADMIN),
        )
