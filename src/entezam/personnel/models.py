from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core.dates import DateRange
from entezam.core.models import BaseModel
from entezam.core.persian import normalize
from entezam.core.persian.text import CODE_MASK, mask_national_code
from entezam.core.persian.validators import validate_mobile, validate_national_code
from entezam.core.scoping import ALL, Scope
from entezam.institutions.models import VIA_INSTITUTION, institution_path

from .choices import Education, EndReason, Gender, MilitaryService, Position
from .validators import validate_person_name

PEOPLE_VIEWERS = {
    Role.HQ_ADMIN,
    Role.HQ_ANALYST,
    Role.PROVINCE_OFFICER,
    Role.STATION_OFFICER,
    Role.INSTITUTION_MANAGER,
}


# The person fields an intake (a roster row, a registration form) gives.
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "father_name",
    "birth_date",
    "gender",
    "mobile",
    "education",
    "military_service",
)
# Optional cells left empty keep what is stored: a roster without mobiles erases none.
KEEP_WHEN_EMPTY = ("father_name", "mobile", "military_service")


def reach_q(assignment, *, field: str = "pk", current_staff: bool = False) -> Q | None:
    """People an assignment reaches: linked to an institution in its scope (any registered
    reach source, current or past), answered from the `PersonReach` index.

    `field` names the person: the key on people, a foreign key to them on the records about
    them (a check, a certificate), which then read the index directly rather than through
    the people table. With `current_staff`, only a current employment at an institution in
    scope counts.
    """
    if current_staff:
        path = institution_path("institution", assignment.scope)
        if path is None:
            return None
        people = Employment.objects.filter(
            end_date__isnull=True, **{path: assignment.scope_object_id}
        ).values("person_id")
    else:
        column = reach_column(assignment.scope)
        if column is None:
            return None
        people = PersonReach.objects.filter(**{column: assignment.scope_object_id}).values(
            "person_id"
        )
    return Q(**{f"{field}__in": people})


def person_record_q(assignment, action: str = "view"):
    """Records about a person (a check, a certificate: a `person` foreign key) are in scope
    where the person is, as `view` reaches them."""
    if assignment.scope == Scope.NATION:
        return ALL
    return reach_q(assignment, field="person")


def reach_column(scope: str) -> str | None:
    """The `PersonReach` column holding the scope object of `scope` (None for the nation):
    the institution's own field name, copied onto each reach row."""
    path = institution_path("institution", scope)
    return None if path is None else path.removeprefix("institution__")


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
    birth_date = models.DateField(_("birth date"), validators=[DateRange("birth")])
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
    # Not a column: set per reader by `selectors.with_national_code_display`.
    national_code_display: str

    role_actions = {
        "view": PEOPLE_VIEWERS,
        # Who reads national codes in full; everyone else sees them masked.
        "read_national_code": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER},
        "add": {Role.HQ_ADMIN, Role.INSTITUTION_MANAGER},
        # HQ edits anyone; a manager edits the people their institution employs now.
        "change": {Role.HQ_ADMIN, Role.INSTITUTION_MANAGER},
    }

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        indexes = [
            GinIndex(name="person_search_trgm", fields=["search_name"], opclasses=["gin_trgm_ops"]),
            # The register's default order, ending in the key so keyset pages use it.
            models.Index(fields=["last_name", "first_name", "id"], name="person_name_order"),
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

    # Actions `scope_q` scopes as it scopes "view" (only "change" differs).
    view_scope_actions = frozenset({"read_national_code"})

    @classmethod
    def scope_q(cls, assignment, action):
        """A person is in scope through what links them to an institution in scope; editing
        needs a current employment there."""
        if assignment.scope == Scope.NATION:
            return ALL
        return reach_q(assignment, current_staff=action == "change")

    def audit_scope(self) -> dict:
        employment = (
            self.employments.filter(end_date__isnull=True).select_related("institution").first()
        )
        if employment is None:
            return {}
        return employment.audit_scope()


def search_key(first_name: str, last_name: str) -> str:
    return normalize(f"{first_name} {last_name}")


MASK = CODE_MASK


class Employment(BaseModel):
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="employments"
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="employments",
        # Covered by the (institution, id) index below.
        db_index=False,
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    start_date = models.DateField(_("start date"), validators=[DateRange("any")])
    end_date = models.DateField(_("end date"), null=True, blank=True, validators=[DateRange("any")])
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )

    role_actions = {
        "view": PEOPLE_VIEWERS,
        # A province officer's approval of an application starts the employment.
        "add": {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER},
        "change": {Role.HQ_ADMIN, Role.INSTITUTION_MANAGER},
    }
    scope_paths = VIA_INSTITUTION

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["-start_date"]
        indexes = [
            # An institution's current staff, probed per person in the register's name order
            # (people of one institution, the institution page's staff, a manager's edits).
            models.Index(
                fields=["institution", "person"],
                condition=Q(end_date__isnull=True),
                name="employment_current_staff",
            ),
            # The API's order (newest first, cursor pages) under an institution filter: without
            # it PostgreSQL walked the primary key backwards past every other institution's.
            models.Index(fields=["institution", "id"], name="employment_by_institution"),
            # The institution page's staff panel: the newest of its current staff first
            # (20,000 at a national company: without it, a sort of all of them per view).
            models.Index(
                F("institution"),
                F("start_date").desc(),
                F("id").desc(),
                condition=Q(end_date__isnull=True),
                name="employment_current_newest",
            ),
        ]
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


class PersonReach(models.Model):
    """One link of a person to an institution: an employment, an application, and what later
    apps add (enrolments, deployments). A scoped role reaches the people linked to an
    institution in its scope, through this one indexed table (`personnel/reach.py` keeps it;
    `entezam reach rebuild` recomputes it from the registered sources)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The institution's scope, copied so that each scope level is one index probe per person
    # (`reach_q`): named as on the institution; `reach.py` keeps them equal to it, also when
    # the institution moves to another province or supervising unit.
    province = models.ForeignKey(
        "geo.Province", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    supervising_unit = models.ForeignKey(
        "geo.PoliceUnit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The registered reach source ("personnel.employment", "vetting.application", …).
    source = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "institution", "source"], name="person_reach_once"
            )
        ]
        indexes = [
            models.Index(fields=["institution", "person"], name="person_reach_by_inst"),
            models.Index(fields=["province", "person"], name="person_reach_by_province"),
            models.Index(fields=["supervising_unit", "person"], name="person_reach_by_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.institution_id} ({self.source})"
