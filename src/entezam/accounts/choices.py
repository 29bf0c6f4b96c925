from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HQ_ADMIN = "hq_admin", _("HQ administrator")
    HQ_ANALYST = "hq_analyst", _("HQ analyst")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    STATION_OFFICER = "station_officer", _("Station officer")
    INSTITUTION_MANAGER = "institution_manager", _("Institution manager")
    CENTER_OPERATOR = "center_operator", _("197 centre operator")
    TRAINER = "trainer", _("Trainer")


# The scope object each role takes: nation roles take none.
ROLE_SCOPES: dict[str, set[str]] = {
    Role.HQ_ADMIN: {"nation"},
    Role.HQ_ANALYST: {"nation"},
    Role.PROVINCE_OFFICER: {"province"},
    Role.STATION_OFFICER: {"police_unit"},
    Role.INSTITUTION_MANAGER: {"institution"},
    Role.CENTER_OPERATOR: {"nation", "province"},
    Role.TRAINER: {"nation"},
}

STAFF_ROLES = frozenset(
    {
        Role.HQ_ADMIN,
        Role.HQ_ANALYST,
        Role.PROVINCE_OFFICER,
        Role.STATION_OFFICER,
        Role.INSTITUTION_MANAGER,
        Role.CENTER_OPERATOR,
    }
)

# Who reads the audit log (each within their scope).
AUDIT_READERS = frozenset(
    {
        Role.HQ_ADMIN,
        Role.HQ_ANALYST,
        Role.PROVINCE_OFFICER,
        Role.STATION_OFFICER,
        Role.INSTITUTION_MANAGER,
    }
)


# The roles a province officer may grant (and revoke), within their own province.
PROVINCE_GRANTABLE = frozenset(
    {Role.STATION_OFFICER, Role.INSTITUTION_MANAGER, Role.CENTER_OPERATOR}
)
