from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    HQ = "hq", _("HQ")
    PROVINCIAL_COMMAND = "provincial_command", _("Provincial command")
    STATION = "station", _("Police station")
    POST = "post", _("Police post")


# Which kind of unit may stand under which.
# Looked up by the stored kind (a plain string).
PARENT_KINDS: dict[str, set[UnitKind]] = {
    UnitKind.HQ: set(),
    UnitKind.PROVINCIAL_COMMAND: {UnitKind.HQ},
    UnitKind.STATION: {UnitKind.PROVINCIAL_COMMAND},
    UnitKind.POST: {UnitKind.PROVINCIAL_COMMAND, UnitKind.STATION},
}
