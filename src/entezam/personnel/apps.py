from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import (
    ChangeKey,
    ChangeMasker,
    Panel,
    ReachSource,
    register_action_labels,
    register_change_keys,
    register_change_masker,
    register_demo_seed,
    register_home_panel,
    register_nav,
    register_nav_section,
    register_panel,
    register_person_reach,
)


class PersonnelConfig(AppConfig):
    name = "entezam.personnel"
    label = "personnel"
    verbose_name = _("People and employment")
    url_prefix = "people/"

    def ready(self) -> None:

        register_action_labels(
            {
                "person.create": _("Person registered"),
                "person.update": _("Person edited"),
                "person.view": _("Full record viewed"),
                "person.code_lookup": _("National code looked up"),
                "person.photo": _("Photo replaced"),
                "person.seed": _("Demo people registered"),
                "employment.start": _("Employment started"),
                "employment.end": _("Employment ended"),
            }
        )
        register_change_keys(
            {"people": _("people registered"), "employed_now": _("employed now")},
            scope="person.seed",
        )
        register_change_keys(
            {"code": ChangeKey(_("national code (masked)"), latin=True)},
            scope="person.code_lookup",
        )
        # Masked per reader before rendering (the masker below: in full only to those who
        # may read that person's code, as on the person page); shown as a Latin code.
        register_change_keys(
            {"national_code": ChangeKey(_("national code"), latin=True)},
            scope="personnel.person",
        )
        register_person_reach(
            ReachSource(
                "personnel.Employment", active=Q(end_date__isnull=True), label=_("employment")
            )
        )
        from entezam.institutions.services import register_move_hook

        from .reach import reach_institution_moved

        # The reach rows copy their institution's province and unit: a move updates them.
        register_move_hook(reach_institution_moved)
        from .selectors import national_code_shower

        register_change_masker(ChangeMasker(frozenset({"national_code"}), national_code_shower))

        from .panels import MANAGER_ROLES, institution_staff_panel, manager_home_panel

        register_home_panel(
            Panel("personnel/panels/manager_home.html", manager_home_panel, 50, roles=MANAGER_ROLES)
        )
        register_panel(
            "institutions.institution",
            Panel("personnel/panels/institution_staff.html", institution_staff_panel, 50),
        )
        register_nav_section("staff", _("Staff"), "people", order=40)
        register_nav(
            "personnel:list",
            _("People"),
            "people",
            section="staff",
            order=10,
            model="personnel.Person",
        )
        register_demo_seed("people", "entezam.personnel.seed.demo_seed", order=40)
