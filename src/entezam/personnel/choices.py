from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    BELOW_DIPLOMA = "below_diploma", _("Below diploma")
    DIPLOMA = "diploma", _("Diploma")
    ASSOCIATE = "associate", _("Associate degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


# Rank for "at least this education" rules.
EDUCATION_RANK = {value: rank for rank, value in enumerate(Education.values)}


class MilitaryService(models.TextChoices):
    COMPLETED = "completed", pgettext_lazy("military service", "Completed")
    EXEMPT = "exempt", _("Exempt")
    SERVING = "serving", _("Serving")
    LIABLE = "liable", _("Liable (not yet served)")


RESOLVED_MILITARY_SERVICE = (MilitaryService.COMPLETED, MilitaryService.EXEMPT)


class Position(models.TextChoices):
    GUARD = "guard", _("Guard")
    SUPERVISOR = "supervisor", _("Shift supervisor")
    MANAGER = "manager", _("Manager")


class EndReason(models.TextChoices):
    RESIGNED = "resigned", _("Resigned")
    CONTRACT_ENDED = "contract_ended", _("Contract ended")
    DISMISSED = "dismissed", _("Dismissed")
    REVOKED = "revoked", _("Permit revoked")
    TRANSFERRED = "transferred", _("Moved to another institution")
    DECEASED = "deceased", _("Deceased")
