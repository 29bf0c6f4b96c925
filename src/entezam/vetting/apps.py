from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VettingConfig(AppConfig):
    name = "entezam.vetting"
    label = "vetting"
    verbose_name = _("Selection")

    def ready(self) -> None:
        from entezam.core.jobs import register

        register("vetting_screen", "entezam.vetting.tasks.run_screen_job")
