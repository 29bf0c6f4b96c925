from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    name = "entezam.personnel"
    label = "personnel"
    verbose_name = _("People and employment")

    def ready(self) -> None:
        from entezam.core import jobs
        from entezam.core.models import register_action_labels

        jobs.register("roster_import", "entezam.personnel.roster.run_import_job")
        register_action_labels({"roster.import": _("Roster imported")})
