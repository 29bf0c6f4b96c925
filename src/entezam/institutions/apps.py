from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import (
    Panel,
    register_action_labels,
    register_demo_seed,
    register_home_panel,
    register_nav,
    register_panel,
)


class InstitutionsConfig(AppConfig):
    name = "entezam.institutions"
    label = "institutions"
    verbose_name = _("Security institutions")
    url_prefix = "institutions/"

    def ready(self) -> None:
        from .choices import Transition
        from .panels import home_panel, supervised_institutions_panel

        register_action_labels(
            {
                "institution.create": _("Institution registered"),
                "institution.update": _("Institution edited"),
                **{f"institution.{t.value}": t.label for t in Transition},
            }
        )
        register_nav(
            "institutions:list",
            _("Institutions"),
            "building-check",
            order=20,
            model="institutions.Institution",
        )
        register_home_panel(Panel("institutions/panels/home.html", home_panel, 100))
        register_panel(
            "geo.policeunit",
            Panel("institutions/panels/supervised.html", supervised_institutions_panel, 100),
        )
        register_demo_seed("institutions", "entezam.institutions.seed.demo_seed", order=30)
