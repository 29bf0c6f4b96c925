import django_filters
from django.utils.translation import gettext_lazy as _

from entezam.core.filters import ScopedChoiceFilter
from entezam.core.lookups import use_lookup
from entezam.core.persian import normalize
from entezam.geo.models import Province
from entezam.institutions.models import Institution
from entezam.personnel.choices import Position

from .choices import ApplicationStatus, StandardStatus
from .models import Application, Standard


class ApplicationFilterSet(django_filters.FilterSet):
    """One filterset for the application list page and the API."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=ApplicationStatus.choices, label=_("Status")
    )
    position = django_filters.ChoiceFilter(
        choices=Position.choices, label=_("Position"), empty_label=_("All")
    )
    institution = ScopedChoiceFilter(
        queryset=Institution.objects.none(),
        label=_("Institution"),
        empty_label=_("All"),
    )
    province = ScopedChoiceFilter(
        field_name="institution__province",
        queryset=Province.objects.all(),
        label=_("Province"),
        empty_label=_("All"),
    )
    standard = ScopedChoiceFilter(
        queryset=Standard.objects.all(), label=_("Standard"), empty_label=_("All")
    )
    needs_review = django_filters.BooleanFilter(label=_("Needs review"))

    class Meta:
        model = Application
        fields = ["q", "status", "position", "institution", "province", "standard", "needs_review"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["institution"].queryset = Institution.objects.visible_to(user).order_by(
            "search_name"
        )
        use_lookup(self.form.fields["institution"], "institution", user=user, parent="province")

    def search(self, queryset, name, value):
        key = normalize(value)
        if not key:
            return queryset
        return queryset.filter(person__search_name__contains=key)


class StandardFilterSet(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="code", lookup_expr="iexact", label=_("Code"))
    status = django_filters.MultipleChoiceFilter(choices=StandardStatus.choices, label=_("Status"))

    class Meta:
        model = Standard
        fields = ["code", "status"]
