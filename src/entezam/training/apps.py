from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.core.registry import (
    Panel,
    ReachSource,
    register_action_labels,
    register_demo_seed,
    register_home_panel,
    register_nav,
    register_nav_section,
    register_panel,
    register_periodic,
    register_person_reach,
)


class TrainingConfig(AppConfig):
    name = "entezam.training"
    label = "training"
    verbose_name = _("Training")
    url_prefix = "training/"

    def ready(self) -> None:
        from entezam.core.registry import ChangeKey, register_change_keys
        from entezam.institutions.services import register_transition_check
        from entezam.notifications.events import register_category, register_event

        from .selectors import capacity_panel, person_training_panel, trainer_sessions_panel

        register_change_keys(
            {
                "institution": ChangeKey(_("institution (registration number)"), latin=True),
                "enrolled": _("people enrolled"),
                "refused": _("people refused"),
                "left_out_for_capacity": _("left out for lack of seats"),
            },
            scope="enrolment.bulk",
        )
        register_change_keys({"trainers": _("trainers")}, scope="session.create")
        from .services import check_managing_director

        register_transition_check("activate", check_managing_director)
        register_person_reach(ReachSource("training.Enrolment", label=_("enrolment")))
        register_category("training", _("Training"), order=50)
        register_event(
            "training.certificate_lapsing", _("A certificate is lapsing"), category="training"
        )
        register_periodic("training-daily", "entezam.training.reminders.training_daily", 3600)
        register_periodic(
            "training-capacity",
            "entezam.training.selectors.refresh_capacity_figures",
            seconds=settings.BOARD_REFRESH_SECONDS,
        )
        register_action_labels(
            {
                "course.create": _("Course created"),
                "course.update": _("Course edited"),
                "session.create": _("Session planned"),
                "session.update": _("Session edited"),
                "session.open": _("Session opened for enrolment"),
                "session.start": _("Session started"),
                "session.complete": _("Session completed"),
                "session.cancel": _("Session cancelled"),
                "enrolment.create": _("Person enrolled"),
                "enrolment.bulk": _("People enrolled in bulk"),
                "enrolment.withdraw": _("Enrolment withdrawn"),
                "enrolment.attendance": _("Attendance recorded"),
                "enrolment.score": _("Score recorded"),
                "certificate.revoke": _("Certificate revoked"),
                "certificate.expire": _("Certificate expired"),
            }
        )
        register_panel(
            "personnel.person",
            Panel("training/panels/person_training.html", person_training_panel, 110),
        )
        register_home_panel(
            Panel("training/panels/trainer_sessions.html", trainer_sessions_panel, 20)
        )
        register_home_panel(Panel("training/panels/capacity.html", capacity_panel, 60))
        register_nav_section("training", _("Training"), "mortarboard", order=60)
        for order, (url_name, label, icon, model) in enumerate(
            [
                (
                    "training:session_list",
                    pgettext_lazy("training", "Sessions"),
                    "calendar3",
                    "training.Session",
                ),
                ("training:course_list", _("Courses"), "book", "training.Course"),
                ("training:certificate_list", _("Certificates"), "award", "training.Certificate"),
                (
                    "training:lapsing",
                    _("Lapsing certificates"),
                    "hourglass-split",
                    "training.Certificate",
                ),
            ],
            start=1,
        ):
            register_nav(url_name, label, icon, section="training", order=10 * order, model=model)
        register_demo_seed("training", "entezam.training.seed.demo_seed", order=60)
