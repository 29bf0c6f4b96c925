import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entezam.core.filters import IdFilter, ScopedChoiceFilter
from entezam.core.persian import normalize

from .choices import UnitKind
from .models import PoliceUnit, Province


class PoliceUnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(
        choices=UnitKind.choices, label=_("Kind"), empty_label=_("All")
    )
    province = ScopedChoiceFilter(
        queryset=Province.objects.all(), label=_("Province"), empty_label=_("All")
    )
    parent = IdFilter(field_name="parent_id", label=_("Parent unit"))

    class Meta:
        model = PoliceUnit
        fields = ["q", "kind", "province", "parent"]

    def search(self, queryset, name, value):
        key = normalize(value)
        if not key:
            return queryset
        return queryset.filter(Q(search_name__contains=key) | Q(code__iexact=value.strip()))


class ProvinceFilterSet(django_filters.FilterSet):
    class Meta:
        model = Province
        fields = ["code"]
