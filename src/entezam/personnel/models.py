from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core.models import BaseModel, register_action_labels
from entezam.core.persian import normalize
from entezam.core.persian.validators import validate_mobile, validate_national_code
from entezam.core.scoping import ALL, Scope
from entezam.institutions.models import VIA_INSTITUTION

from .choices import Education, EndReason, Gender, MilitaryService, Position
from .validators import validate_person_name

PEOPLE_VIEWERS = {
    Role.HQ_ADMIN,
    Role.HQ_ANALYST,
    Role.PROVINCE_OFFICER,
    Role.STATION_OFFICER,
    Role.INSTITUTION_MANAGER,
}
# Roles that see national codes in full; everyone else sees them masked.
NATIONAL_CODE_READERS = {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER}


def institution_scope_q(assignment) -> Q | None:
    """Institutions reachable by an assignment, as a condition on `institution`."""
    path = VIA_INSTITUTION.get(assignment.scope)
    return None if path is None else Q(**{path: assignment.scope_object_id})


class Person(BaseModel):
    national_code = models.CharField(
        _("national code"), max_length=10, validators=[validate_national_code]
    )
    first_name = models.CharField(
        _("first name"), max_length=100, validators=[validate_person_name]
    )
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_person_name])
    father_name = models.CharField(
        _("father's name"), max_length=100, blank=True, validators=[validate_person_name]
    )
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, validators=[validate_mobile])
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    military_service = models.CharField(
        _("military service"), max_length=20, choices=MilitaryService.choices, blank=True
    )
    photo = models.ImageField(_("photo"), upload_to="people/photos/", blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Served by the trigram GIN index below (fragments) on PostgreSQL; a B-tree would only
    # slow every insert.
    search_name = models.CharField(max_length=220, editable=False)

    role_actions = {
        "view": PEOPLE_VIEWERS,
        "add": {Role.HQ_ADMIN, Role.INSTITUTION_MANAGER},
        "change": {Role.HQ_ADMIN, Role.INSTITUTION_MANAGER},
    }

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        indexes = [
            GinIndex(name="person_search_trgm", fields=["search_name"], opclasses=["gin_trgm_ops"]),
            models.Index(fields=["last_name", "first_name"], name="person_name_order"),
        ]
        # A constraint rather than unique=True: on PostgreSQL a unique CharField also gets a
        # LIKE (pattern-ops) index, which national codes never use and every import pays for.
        constraints = [
            models.UniqueConstraint(
                fields=["national_code"],
                name="person_national_code_unique",
                violation_error_message=_("A person with this national code is registered."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.search_name = search_key(self.first_name, self.last_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("personnel:detail", args=[self.pk])

    @property
    def national_code_masked(self) -> str:
        return mask_national_code(self.national_code)

    @classmethod
    def scope_q(cls, assignment):
        """A person is in scope through an employment or an application in scope."""
        if assignment.scope == Scope.NATION:
            return ALL
        from entezam.vetting.models import Application

        institution_q = institution_scope_q(assignment)
        if institution_q is None:
            return None
        return Q(pk__in=Employment.objects.filter(institution_q).values("person_id")) | Q(
            pk__in=Application.objects.filter(institution_q).values("person_id")
        )

    def audit_scope(self) -> dict:
        employment = (
            self.employments.filter(end_date__isnull=True).select_related("institution").first()
        )
        if employment is None:
            return {}
        return employment.audit_scope()


def search_key(first_name: str, last_name: str) -> str:
    return normalize(f"{first_name} {last_name}")


MASK = "•••"


def mask_national_code(code: str) -> str:
    """`0013542419` → `0013•••419`: enough to tell people apart, not enough to reuse."""
    if not code:
        return ""
    return f"{code[:4]}{MASK}{code[-3:]}" if len(code) == 10 else MASK


class Employment(BaseModel):
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="employments"
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="employments",
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )

    role_actions = {
        "view": PEOPLE_VIEWERS,
        "add": {Role.HQ_ADMIN, Role.INSTITUTION_MANAGER},
        "change": {Role.HQ_ADMIN, Role.INSTITUTION_MANAGER},
    }
    scope_paths = VIA_INSTITUTION

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_date__isnull=True),
                name="one_active_employment_per_person",
                violation_error_message=_("This person is already employed."),
            ),
            models.CheckConstraint(
                name="employment_dates_ordered",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
            ),
            models.CheckConstraint(
                name="employment_end_reason_when_ended",
                condition=Q(end_date__isnull=True, end_reason="")
                | (Q(end_date__isnull=False) & ~Q(end_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.institution}"

    @property
    def is_active(self) -> bool:
        return self.end_date is None

    def audit_scope(self) -> dict:
        return self.institution.audit_scope()


register_action_labels(
    {
        "person.create": _("Person registered"),
        "person.update": _("Person edited"),
        "person.view": _("Full record viewed"),
        "person.seed": _("Demo people registered"),
        "employment.start": _("Employment started"),
        "employment.end": _("Employment ended"),
    }
)
