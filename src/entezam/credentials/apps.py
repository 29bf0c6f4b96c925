from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import (
    Panel,
    register_action_labels,
    register_demo_seed,
    register_nav,
    register_panel,
    register_periodic,
)


class CredentialsConfig(AppConfig):
    name = "entezam.credentials"
    label = "credentials"
    verbose_name = _("Licence cards")
    # The public page is /v/<token>; the officers' pages are under /cards/.
    url_prefix = ""

    def ready(self) -> None:
        from entezam.core.registry import ChangeKey, register_change_keys

        from .panels import person_cards_panel, session_cards_panel

        register_change_keys(
            {"replaces": ChangeKey(_("replaces card"), latin=True)}, scope="card.issue"
        )

        register_panel(
            "personnel.person",
            Panel("credentials/panels/person_cards.html", person_cards_panel, 120),
        )
        register_panel(
            "training.session",
            Panel("credentials/panels/session_cards.html", session_cards_panel, 10),
        )
        register_demo_seed("cards", "entezam.credentials.seed.demo_seed", order=70)
        register_periodic("cards-reconcile", "entezam.credentials.services.cards_reconcile", 60)
        register_periodic("card-checks-store", "entezam.credentials.verification.drain_checks", 60)
        register_action_labels(
            {
                "card.issue": _("Licence card issued"),
                "card.suspended": _("Licence card suspended"),
                "card.revoked": _("Licence card revoked"),
                "card.expired": _("Licence card expired"),
                "card.replaced": _("Licence card replaced"),
                "card.restore": _("Licence card restored"),
            }
        )
        register_nav(
            "credentials:card_list",
            _("Licence cards"),
            "person-vcard",
            section="training",
            order=50,
            model="credentials.Card",
        )
        register_nav(
            "credentials:check_statistics",
            _("Card verifications"),
            "qr-code-scan",
            section="training",
            order=55,
            model="credentials.VerificationCheck",
        )
