from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """The 197 centre: citizen messages, their classification, routing and statistics."""

    name = "entezam.feedback"
    label = "feedback"
    verbose_name = _("Citizen feedback (197)")
    url_prefix = "feedback/"

    def ready(self) -> None:
        from entezam.core.registry import (
            Lookup,
            Panel,
            register_action_labels,
            register_change_keys,
            register_demo_seed,
            register_home_panel,
            register_lookup,
            register_nav,
            register_nav_section,
            register_panel,
            register_periodic,
        )
        from entezam.institutions.apps import search_institutions
        from entezam.institutions.choices import InstitutionStatus
        from entezam.notifications.events import register_event

        from . import panels

        # The citizen's message form names an active institution, searched as they type
        # (a public lookup: names of active institutions are public, as in the register).
        register_lookup(
            Lookup(
                "feedback_institution",
                "institutions.Institution",
                search_institutions,
                order_by=("search_name",),
                parent_field="province_id",
                narrow=lambda rows: rows.filter(status=InstitutionStatus.ACTIVE),
                public=True,
            )
        )

        register_change_keys({"note": _("citizen's note")}, scope="feedback.dispute")
        register_change_keys({"reason": _("reason"), "to": _("sent to")}, scope="feedback.escalate")
        register_change_keys(
            {"reason": _("reason"), "from": _("taken from"), "to": _("sent to")},
            scope="feedback.reroute",
        )
        register_change_keys({"assigned_to": _("assigned to")}, scope="feedback.route")
        register_change_keys({"confidence": _("classifier's confidence")}, scope="feedback.submit")

        register_event(
            "feedback.assigned", _("A citizen message to handle"), category="assignments"
        )
        register_event(
            "feedback.praise", _("A citizen thanked your institution"), category="follows"
        )
        register_action_labels(
            {
                "feedback.submit": _("Citizen message received"),
                "feedback.triage": _("Citizen message triaged"),
                "feedback.route": _("Citizen message routed"),
                "feedback.start": _("Work on a citizen message started"),
                "feedback.reroute": _("Citizen message re-routed (not responsible)"),
                "feedback.resolve": _("Citizen message resolved"),
                "feedback.confirm": _("Resolution confirmed by the citizen"),
                "feedback.dispute": _("Resolution disputed by the citizen"),
                "feedback.escalate": _("Citizen message escalated"),
                "feedback.close": _("Citizen message closed"),
                "routingrule.create": _("Routing rule added"),
                "routingrule.update": _("Routing rule edited"),
            }
        )
        register_nav_section("feedback", _("Citizen messages"), "chat-square-text", order=60)
        register_nav(
            "feedback:queue",
            _("Citizen messages"),
            "chat-square-text",
            section="feedback",
            order=10,
            model="feedback.feedback",
        )
        register_nav(
            "feedback:statistics",
            _("Feedback statistics"),
            "bar-chart",
            section="feedback",
            order=20,
            model="feedback.feedback",
        )
        register_nav(
            "feedback:rules",
            _("Routing rules"),
            "signpost-split",
            section="system",
            order=60,
            model="feedback.routingrule",
        )
        register_home_panel(Panel("feedback/panels/home.html", panels.home_panel, 60))
        register_panel(
            "institutions.institution",
            Panel("feedback/panels/recognition.html", panels.institution_recognition, 60),
        )
        register_panel(
            "personnel.person",
            Panel("feedback/panels/recognition.html", panels.person_recognition, 60),
        )
        register_periodic(
            "feedback-deadlines", "entezam.feedback.services.deadlines_round", seconds=3600
        )
        register_periodic(
            "feedback-close-unanswered",
            "entezam.feedback.services.close_unanswered_round",
            seconds=3600,
        )
        register_periodic(
            "feedback-erase-contacts",
            "entezam.feedback.services.contacts_erase_round",
            seconds=3600,
        )
        register_periodic(
            "feedback-retrain",
            "entezam.feedback.classifier.retrain_if_new_labels",
            seconds=24 * 3600,
        )
        register_demo_seed("feedback", "entezam.feedback.seed.demo_seed", order=80)
