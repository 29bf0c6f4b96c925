from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VettingConfig(AppConfig):
    name = "entezam.vetting"
    label = "vetting"
    verbose_name = _("Selection")
