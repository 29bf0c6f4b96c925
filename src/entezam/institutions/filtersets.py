import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entezam.core.filters import ScopedChoiceFilter
from entezam.core.lookups import use_lookup
from entezam.core.persian import normalize, to_ascii_digits
from entezam.geo.models import PoliceUnit, Province

from .choices import InstitutionKind, InstitutionStatus
from .models import Institution, licence_warning_date


def expiring_q() -> Q:
    """Operating institutions whose licence has run out or runs out within the warning window."""
    return Q(
        licence_expires_on__lte=licence_warning_date(),
        status__in=[InstitutionStatus.ACTIVE, InstitutionStatus.SUSPENDED],
    )


class InstitutionFilterSet(django_filters.FilterSet):
    """One filterset for the list page, the API and exports."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=InstitutionStatus.choices, label=_("Status")
    )
    kind = django_filters.ChoiceFilter(
        choices=InstitutionKind.choices, label=_("Kind"), empty_label=_("All")
    )
    province = ScopedChoiceFilter(
        queryset=Province.objects.all(), label=_("Province"), empty_label=_("All")
    )
    supervising_unit = ScopedChoiceFilter(
        queryset=PoliceUnit.objects.none(), label=_("Supervising police unit")
    )
    licence_expiring = django_filters.BooleanFilter(
        method="filter_expiring", label=_("Licence expired or expiring within 60 days")
    )

    class Meta:
        model = Institution
        fields = ["q", "status", "kind", "province", "supervising_unit", "licence_expiring"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["supervising_unit"].queryset = PoliceUnit.objects.visible_to(user).filter(
            kind__in=["station", "post", "provincial_command"]
        )
        use_lookup(
            self.form.fields["supervising_unit"], "supervising_unit", user=user, parent="province"
        )

    def search(self, queryset, name, value):
        key = normalize(value)
        if not key:
            return queryset
        digits = to_ascii_digits(value.strip())
        return queryset.filter(
            Q(search_name__contains=key) | Q(registration_number=digits) | Q(licence_number=digits)
        )

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(expiring_q()) if value else queryset.exclude(expiring_q())


def expiring_count(queryset) -> int:
    return queryset.filter(expiring_q()).count()
