from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import (
    ChangeKey,
    ChangeMasker,
    Lookup,
    Panel,
    register_action_labels,
    register_change_keys,
    register_change_masker,
    register_demo_seed,
    register_home_panel,
    register_lookup,
    register_nav,
    register_panel,
)


def director_code_shower(user, events: list):
    """The managing director's national code in an institution's history: in full only to
    those who may read codes at that institution (as its page shows it), masked elsewhere."""
    from entezam.core.persian.text import mask_national_code

    from .models import Institution

    ids = {
        int(event.object_id)
        for event in events
        if event.object_type == "institutions.institution" and str(event.object_id).isdigit()
    }
    readable = {
        str(pk)
        for pk in Institution.objects.visible_to(user, "read_national_code")
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    }

    def show(event, value):
        if not isinstance(value, str) or not value:
            return value
        if event.object_type == "institutions.institution" and event.object_id in readable:
            return value
        return mask_national_code(value)

    return show


def letter_number_text(value):
    """A letter number as written ("۱۲۳/ص/۴۵"), its digits the page's, kept in one run."""
    from django.utils.html import format_html

    from entezam.core.history import display_text

    return format_html("<bdi>{}</bdi>", display_text(str(value)))


def attachment_link(value):
    """The letter kept with the event, linked to its download (which checks the reader)."""
    from django.urls import reverse
    from django.utils.html import format_html

    if not isinstance(value, dict) or not str(value.get("id", "")).isdigit():
        return "—"
    url = reverse("institutions:attachment", args=[int(value["id"])])
    return format_html(
        '<a href="{}" data-letter-download><i class="bi bi-paperclip" aria-hidden="true"></i> '
        "<bdi>{}</bdi></a>",
        url,
        value.get("name") or "",
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

        # Masked per reader before rendering, by the institution page's rule (the masker);
        # shown as a Latin code.
        register_change_keys(
            {
                "managing_director_national_code": ChangeKey(
                    _("managing director's national code"), latin=True
                ),
                "letter_number": ChangeKey(_("letter number"), render=letter_number_text),
                "attachment": ChangeKey(_("letter (scan)"), render=attachment_link),
            },
            scope="institutions.institution",
        )
        register_change_masker(
            ChangeMasker(frozenset({"managing_director_national_code"}), director_code_shower)
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
