from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "entezam.core"
    label = "core"
    verbose_name = _("Core")
    url_prefix = ""

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers system checks)
            display,
        )
        from .history import filters_text
        from .registry import (
            ChangeKey,
            Panel,
            register_action_labels,
            register_change_keys,
            register_home_panel,
            register_job,
            register_nav,
            register_nav_section,
            register_periodic,
        )
        from .selectors import recent_events_panel

        display.install()

        register_nav("home", _("Dashboard"), "speedometer2", order=10)
        register_nav_section("system", _("System"), "gear", order=90)
        register_nav(
            "core:audit_list",
            _("Audit log"),
            "journal-text",
            section="system",
            order=10,
            model="core.AuditEvent",
        )
        register_action_labels({"list.export": _("List exported")})
        register_change_keys(
            {
                "list": ChangeKey(_("list"), latin=True),
                "format": ChangeKey(_("format"), latin=True),
                "filters": ChangeKey(_("filters"), render=filters_text),
                "rows": _("rows"),
                "job": _("background job"),
            },
            scope="list.export",
        )
        register_job("list_export", "entezam.core.exports.run_export_job")
        register_home_panel(Panel("core/panels/recent_events.html", recent_events_panel, 900))
        register_periodic("audit-seal", "entezam.core.audit.audit_seal", seconds=60)
        register_periodic("jobs-reap", "entezam.core.jobs.reap_jobs_task", seconds=60)
        register_periodic(
            "exports-expire", "entezam.core.exports.exports_expire_task", seconds=3600
        )
