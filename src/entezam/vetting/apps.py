from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import (
    Panel,
    ReachSource,
    register_action_labels,
    register_demo_seed,
    register_home_panel,
    register_job,
    register_nav,
    register_nav_section,
    register_panel,
    register_periodic,
    register_person_reach,
)


class VettingConfig(AppConfig):
    name = "entezam.vetting"
    label = "vetting"
    verbose_name = _("Selection")
    url_prefix = "selection/"

    def ready(self) -> None:
        from entezam.accounts.choices import Role
        from entezam.core.scoping import register_task_grant
        from entezam.personnel.models import Person

        from . import history
        from .selectors import applicants_awaiting_check, person_applications_panel

        history.register()
        # The officer who records a background check reads the applicant's code for it.
        register_task_grant(
            Person, "read_national_code", Role.STATION_OFFICER, applicants_awaiting_check
        )

        register_job("vetting_screen", "entezam.vetting.jobs.run_screen_job")
        register_periodic(
            "selection-board",
            "entezam.vetting.board.refresh_stage_summary",
            seconds=settings.BOARD_REFRESH_SECONDS,
        )
        register_action_labels(
            {
                "standard.create": _("Selection standard drafted"),
                "standard.update": _("Selection standard edited"),
                "standard.activate": _("Selection standard activated"),
                "application.open": _("Application opened"),
                "application.seed": _("Demo applications added"),
                "application.screen": _("Applications screened"),
                "application.advance": _("Application moved forward"),
                "application.approve": _("Application approved"),
                "application.reject": _("Application rejected"),
                "application.withdraw": _("Application withdrawn"),
                "background_check.record": _("Background check recorded"),
                "background_check.import": _("Background-check results imported"),
                "medical_certificate.record": _("Medical certificate recorded"),
            }
        )
        from .panels import HOME_ROLES, home_panel, institution_applications_panel

        register_home_panel(Panel("vetting/panels/home.html", home_panel, 200, roles=HOME_ROLES))
        register_panel(
            "institutions.institution",
            Panel(
                "vetting/panels/institution_applications.html", institution_applications_panel, 60
            ),
        )
        register_person_reach(ReachSource("vetting.Application", label=_("application")))
        register_panel(
            "personnel.person",
            Panel("vetting/panels/person_applications.html", person_applications_panel, 100),
        )
        register_nav_section("selection", _("Selection"), "person-check", order=50)
        for order, (url_name, label, icon) in enumerate(
            [
                ("vetting:pipeline", _("Selection pipeline"), "kanban"),
                ("vetting:application_list", _("Applications"), "card-checklist"),
                ("vetting:standard_list", _("Selection standards"), "journal-check"),
            ],
            start=1,
        ):
            register_nav(
                url_name,
                label,
                icon,
                section="selection",
                order=10 * order,
                model="vetting.Application",
            )
        register_demo_seed("standards", "entezam.vetting.seed.demo_seed_standards", order=20)
        register_demo_seed("applicants", "entezam.vetting.seed.demo_seed_applicants", order=50)
        register_demo_seed(
            "applications", "entezam.vetting.seed.demo_seed_bulk_applications", order=55
        )
