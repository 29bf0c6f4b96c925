from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import register_action_labels, register_job, register_nav


class RosterConfig(AppConfig):
    name = "entezam.roster"
    label = "roster"
    verbose_name = _("Roster import")
    url_prefix = "roster/"

    def ready(self) -> None:
        from entezam.accounts.choices import Role
        from entezam.core.scoping import register_model_action
        from entezam.institutions.models import Institution

        from .selectors import IMPORT_ACTION, JOB_KIND

        register_job(JOB_KIND, "entezam.roster.jobs.run_import_job")
        register_action_labels({"roster.import": _("Roster imported")})
        register_model_action(
            Institution,
            IMPORT_ACTION,
            {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER},
        )
        register_nav(
            "roster:upload",
            _("Roster import"),
            "file-earmark-arrow-up",
            section="staff",
            order=20,
            model="institutions.Institution",
            action=IMPORT_ACTION,
        )
