from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidelinesConfig(AppConfig):
    """The cooperation guideline and every other guideline: drafting, the two-person rule,
    issuance with a deadline, acknowledgement by clause, briefings, reminders."""

    name = "entezam.guidelines"
    label = "guidelines"
    verbose_name = _("Guidelines")
    url_prefix = "guidelines/"

    def ready(self) -> None:
        from entezam.core.registry import (
            ChangeKey,
            Panel,
            register_action_labels,
            register_change_keys,
            register_demo_seed,
            register_home_panel,
            register_nav,
            register_nav_section,
            register_panel,
            register_periodic,
        )
        from entezam.notifications.events import register_category, register_event

        from .selectors import institution_panel, mandate_panel, pending_panel

        register_change_keys(
            {
                "clause": ChangeKey(_("clause"), latin=True),
                "title": _("title"),
                "body": _("clause text"),
                "is_heading": _("section heading"),
                "requires_evidence": _("requires evidence"),
                "evidence_label": _("evidence asked for"),
            },
            scope="clause.save",
        )
        register_change_keys({"evidence": _("evidence given")}, scope="acknowledgement.acknowledge")
        register_change_keys(
            {
                "content_hash": ChangeKey(_("content hash (SHA-256)"), latin=True),
                "deadline": _("deadline"),
                "institutions": _("institutions it was issued to"),
                "issuance": ChangeKey(_("issuance number"), latin=True),
            },
            scope="version.issue",
        )
        register_category("guidelines", _("Guidelines"), order=40)
        register_event("guideline.issued", _("A guideline issued to you"), category="guidelines")
        register_event(
            "guideline.reminder",
            _("Guideline deadline reminder"),
            category="guidelines",
            urgent=True,
        )
        register_event(
            "guideline.overdue", _("Guideline overdue"), category="guidelines", urgent=True
        )
        register_event("guideline.review", _("Guideline review"), category="guidelines")
        register_event(
            "guideline.extension", _("Guideline deadline extension"), category="guidelines"
        )
        register_action_labels(
            {
                "guideline.create": _("Guideline created"),
                "guideline.update": _("Guideline edited"),
                "version.create": _("Guideline version started"),
                "version.update": _("Guideline version edited"),
                "clause.save": _("Clause saved"),
                "clause.delete": _("Clause removed"),
                "version.submit": _("Guideline version sent for review"),
                "version.approve": _("Guideline version approved"),
                "version.return": _("Guideline version returned with comments"),
                "version.withdraw": _("Guideline version withdrawn"),
                "version.issue": _("Guideline issued"),
                "version.issue_emergency": _("Guideline issued without approval"),
                "version.emergency_review": _("Emergency issue reviewed"),
                "acknowledgement.acknowledge": _("Guideline acknowledged"),
                "acknowledgement.late_join": _("Guideline issued to a new institution"),
                "acknowledgement.overdue": _("Guideline acknowledgement overdue"),
                "extension.request": _("Deadline extension requested"),
                "extension.grant": _("Deadline extension granted"),
                "extension.refuse": _("Deadline extension refused"),
                "briefing.record": _("Staff briefing recorded"),
            }
        )
        register_periodic(
            "guideline-late-joiners",
            "entezam.guidelines.services.periodic.late_joiners_round",
            seconds=600,
        )
        register_periodic(
            "guideline-reminders",
            "entezam.guidelines.services.periodic.reminders_round",
            seconds=600,
        )
        register_home_panel(Panel("guidelines/panels/mandate.html", mandate_panel, order=20))
        register_home_panel(Panel("guidelines/panels/pending.html", pending_panel, order=21))
        register_panel(
            "institutions.institution",
            Panel("guidelines/panels/institution.html", institution_panel, order=60),
        )
        register_nav_section("guidelines", _("Guidelines"), "journal-text", order=60)
        register_nav(
            "guidelines:pending",
            _("Guidelines to acknowledge"),
            "inbox",
            section="guidelines",
            order=10,
            model="guidelines.Acknowledgement",
            action="acknowledge",
        )
        register_nav(
            "guidelines:guideline_list",
            _("Guidelines"),
            "journal-text",
            section="guidelines",
            order=20,
            model="guidelines.Guideline",
        )
        register_nav(
            "guidelines:issuance_list",
            _("Issuances and compliance"),
            "bar-chart",
            section="guidelines",
            order=30,
            model="guidelines.Issuance",
        )
        register_demo_seed("guidelines", "entezam.guidelines.seed.demo_seed", order=85)
