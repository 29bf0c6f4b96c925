import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from entezam.core.filters import ScopedChoiceFilter
from entezam.core.lookups import use_lookup
from entezam.institutions.models import Institution

from .choices import Education, Gender, Position
from .models import Employment, Person
from .selectors import person_search


class EmploymentStatus:
    ACTIVE = "active"
    NONE = "none"
    CHOICES = [(ACTIVE, _("Employed now")), (NONE, _("Not employed now"))]


@extend_schema_field(OpenApiTypes.INT)
class _InstitutionFilter(ScopedChoiceFilter):
    """An institution by id (the API schema cannot infer it: the filter has a method)."""


class PersonFilterSet(django_filters.FilterSet):
    """One filterset for the people list page and the API."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    gender = django_filters.ChoiceFilter(
        choices=Gender.choices, label=_("Gender"), empty_label=_("All")
    )
    education = django_filters.ChoiceFilter(
        choices=Education.choices, label=_("Education"), empty_label=_("All")
    )
    institution = _InstitutionFilter(
        queryset=Institution.objects.none(),
        label=_("Institution"),
        empty_label=_("All"),
        method="filter_employment",
    )
    employment = django_filters.ChoiceFilter(
        choices=EmploymentStatus.CHOICES,
        label=_("Employment"),
        empty_label=_("All"),
        method="filter_employment",
    )
    position = django_filters.ChoiceFilter(
        choices=Position.choices,
        label=_("Position"),
        empty_label=_("All"),
        method="filter_employment",
    )

    class Meta:
        model = Person
        fields = ["q", "gender", "education", "institution", "employment", "position"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["institution"].queryset = Institution.objects.visible_to(user).order_by(
            "search_name"
        )
        use_lookup(self.form.fields["institution"], "institution", user=user)

    def search(self, queryset, name, value):
        return person_search(queryset, value, user=getattr(self.request, "user", None))

    def filter_employment(self, queryset, name, value):
        # Applied once for all three in `filter_queryset`: they describe one employment.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        institution, status, position = (
            data.get("institution"),
            data.get("employment"),
            data.get("position"),
        )
        if not (institution or status or position):
            return queryset
        active = Employment.objects.filter(person=OuterRef("pk"), end_date__isnull=True)
        if status == EmploymentStatus.NONE:
            queryset = queryset.filter(~Exists(active))
            if institution:
                # Not employed now, but once at this institution: its former staff.
                former = Employment.objects.filter(person=OuterRef("pk"), institution=institution)
                queryset = queryset.filter(Exists(former))
            return queryset
        if institution:
            active = active.filter(institution=institution)
        if position:
            active = active.filter(position=position)
        return queryset.filter(Exists(active))
