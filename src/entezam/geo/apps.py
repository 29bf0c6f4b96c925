from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import (
    Lookup,
    register_action_labels,
    register_demo_seed,
    register_lookup,
    register_nav,
)


def search_by_name(rows, text: str):
    """Rows whose (normalised) name contains `text`, or whose code is `text`."""
    from django.db.models import Q

    from entezam.core.persian import normalize

    query = Q(search_name__contains=normalize(text))
    if any(f.name == "code" for f in rows.model._meta.fields):
        query |= Q(code=text)
    return rows.filter(query)


def supervising_units(rows):
    """The units that supervise institutions: stations, posts and provincial commands."""
    return rows.filter(kind__in=["station", "post", "provincial_command"], is_active=True)


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
        register_lookup(Lookup("province", "geo.Province", search_by_name, order_by=("name",)))
        register_lookup(
            Lookup(
                "county",
                "geo.County",
                search_by_name,
                order_by=("name",),
                parent_field="province_id",
            )
        )
        # The citizen's message form: counties are public.
        register_lookup(
            Lookup(
                "public_county",
                "geo.County",
                search_by_name,
                order_by=("name",),
                parent_field="province_id",
                public=True,
            )
        )
        register_lookup(
            Lookup(
                "police_unit",
                "geo.PoliceUnit",
                search_by_name,
                order_by=("province__code", "code"),
                parent_field="province_id",
            )
        )
        register_lookup(
            Lookup(
                "supervising_unit",
                "geo.PoliceUnit",
                search_by_name,
                order_by=("province__code", "code"),
                parent_field="province_id",
                narrow=supervising_units,
            )
        )
        register_nav(
            "geo:unit_list", _("Police units"), "shield-shaded", order=30, model="geo.PoliceUnit"
        )
        register_demo_seed("geo", "entezam.geo.seed.demo_seed", order=10)
