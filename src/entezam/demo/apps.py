from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from entezam.core.registry import register_demo_seed


class DemoConfig(AppConfig):
    """Above every other app: seeding that spans apps and the `demo` command."""

    name = "entezam.demo"
    label = "demo"
    verbose_name = _("Demo")

    def ready(self) -> None:
        # After institutions (30), before the people and everything that notifies users.
        register_demo_seed("users", "entezam.demo.users.demo_seed", order=35)
