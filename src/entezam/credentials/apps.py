from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import register_action_labels, register_nav, register_periodic


class CredentialsConfig(AppConfig):
    name = "entezam.credentials"
    label = "credentials"
    verbose_name = _("Licence cards")
    # The public page is /v/<token>; the officers' pages are under /cards/.
    url_prefix = ""

    def ready(self) -> None:
        register_periodic("cards-reconcile", "entezam.credentials.services.cards_reconcile", 60)
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
