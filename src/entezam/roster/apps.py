from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import (
    ChangeKey,
    Lookup,
    register_action_labels,
    register_change_keys,
    register_job,
    register_lookup,
    register_nav,
)


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
        from entezam.institutions.apps import search_institutions
        from entezam.institutions.choices import OPERATING_STATUSES

        # The upload form's institution: HQ may import into any of 850, offered by search.
        register_lookup(
            Lookup(
                "importable_institution",
                "institutions.Institution",
                search_institutions,
                order_by=("search_name",),
                action=IMPORT_ACTION,
                narrow=lambda rows: rows.filter(status__in=OPERATING_STATUSES),
            )
        )
        from .choices import Mode

        register_action_labels({"roster.import": _("Roster imported")})
        modes = dict(Mode.CHOICES)
        register_change_keys(
            {
                "file_name": _("file"),
                "sha256": ChangeKey(_("file fingerprint (SHA-256)"), latin=True),
                "mode": ChangeKey(_("how to import"), render=lambda v: str(modes.get(v, v))),
                "rows": _("rows read"),
                "created": _("people added"),
                "updated": _("people updated"),
                "unchanged": _("people unchanged"),
                "rejected": _("rows rejected"),
                "people": _("people linked to this import"),
                "count": _("how many"),
                "run": ChangeKey(_("run key"), latin=True),
            },
            scope="roster.import",
        )
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
