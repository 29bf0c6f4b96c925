from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import (
    ChangeKey,
    Lookup,
    Panel,
    register_action_labels,
    register_change_keys,
    register_demo_seed,
    register_home_panel,
    register_lookup,
    register_nav,
    register_panel,
)


def search_institutions(rows, text: str):
    """By (normalised) name, registration number or licence number."""
    from django.db.models import Q

    from entezam.core.persian import normalize

    return rows.filter(
        Q(search_name__contains=normalize(text))
        | Q(registration_number=text)
        | Q(licence_number=text)
    )


class InstitutionsConfig(AppConfig):
    name = "entezam.institutions"
    label = "institutions"
    verbose_name = _("Security institutions")
    url_prefix = "institutions/"

    def ready(self) -> None:
        from entezam.core.history import masked_code

        from .choices import Transition
        from .panels import HOME_ROLES, home_panel, supervised_institutions_panel

        register_action_labels(
            {
                "institution.create": _("Institution registered"),
                "institution.update": _("Institution edited"),
                **{f"institution.{t.value}": t.label for t in Transition},
            }
        )
        register_lookup(
            Lookup(
                "institution",
                "institutions.Institution",
                search_institutions,
                order_by=("search_name",),
                parent_field="province_id",
            )
        )
        register_change_keys(
            {
                # History is read by roles that may not read national codes: always masked.
                "managing_director_national_code": ChangeKey(
                    _("managing director's national code"),
                    render=masked_code,
                ),
            },
            scope="institutions.institution",
        )
        register_nav(
            "institutions:list",
            _("Institutions"),
            "building-check",
            order=20,
            model="institutions.Institution",
        )
        register_home_panel(
            Panel("institutions/panels/home.html", home_panel, 100, roles=HOME_ROLES)
        )
        register_panel(
            "geo.policeunit",
            Panel("institutions/panels/supervised.html", supervised_institutions_panel, 100),
        )
        register_demo_seed("institutions", "entezam.institutions.seed.demo_seed", order=30)
