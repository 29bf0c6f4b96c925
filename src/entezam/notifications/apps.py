from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app, e-mail and SMS notifications; follows; preferences. Right above `accounts`:
    it imports `core` and `accounts` only, and every domain app may call it."""

    name = "entezam.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    url_prefix = "notifications/"

    def ready(self) -> None:
        from entezam.accounts.choices import Role
        from entezam.core.registry import (
            register_action_labels,
            register_demo_seed,
            register_nav,
            register_periodic,
        )

        from .events import register_category, register_event

        register_category("general", _("General announcements"), order=10)
        register_category("assignments", _("Work assigned to me"), order=20)
        register_category("follows", _("Records I follow"), order=30)
        register_event("announcement", _("Announcement"), category="general")
        register_event("assignment", _("Assigned to you"), category="assignments", urgent=True)
        register_event("follow.update", _("A record you follow changed"), category="follows")

        register_action_labels(
            {
                "delivery.retry": _("Message delivery retried"),
            }
        )
        register_nav(
            "notifications:deliveries",
            _("Message deliveries"),
            "send",
            section="system",
            order=40,
            visible=lambda user: user.has_role(Role.HQ_ADMIN),
        )
        register_periodic(
            "notification-deliveries",
            "entezam.notifications.services.deliveries.deliveries_due_round",
            seconds=60,
        )
        register_demo_seed("notifications", "entezam.notifications.seed.demo_seed", order=90)
