from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Above every other app: seeding that spans apps and the `demo` command."""

    name = "entezam.demo"
    label = "demo"
    verbose_name = _("Demo")
