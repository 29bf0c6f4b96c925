from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import register_action_labels, register_demo_seed, register_nav


class GeoConfig(AppConfig):
    name = "entezam.geo"
    label = "geo"
    verbose_name = _("Provinces and police units")
    url_prefix = "geo/"

    def ready(self) -> None:
        register_action_labels(
            {
                "police_unit.create": _("Police unit registered"),
                "police_unit.update": _("Police unit edited"),
            }
        )
        register_nav(
            "geo:unit_list", _("Police units"), "shield-shaded", order=30, model="geo.PoliceUnit"
        )
        register_demo_seed("geo", "entezam.geo.seed.demo_seed", order=10)
