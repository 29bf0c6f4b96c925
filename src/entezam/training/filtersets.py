import django_filters
from django.utils.translation import gettext_lazy as _

from entezam.core.filters import IdFilter, ScopedChoiceFilter
from entezam.core.persian import normalize
from entezam.geo.models import Province
from entezam.personnel.choices import Position

from .choices import CertificateStatus, EnrolmentResult, SessionStatus
from .models import Certificate, Course, Enrolment, Session


class CourseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    audience = django_filters.ChoiceFilter(
        choices=Position.choices, label=_("Audience"), empty_label=_("All")
    )

    class Meta:
        model = Course
        fields = ["q", "audience", "is_active"]

    def search(self, queryset, name, value):
        value = (value or "").strip()[:100]
        return queryset.filter(title__icontains=value) | queryset.filter(code__iexact=value)


class SessionFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SessionStatus.choices, label=_("Status"))
    course = ScopedChoiceFilter(
        queryset=Course.objects.all(), label=_("Course"), empty_label=_("All")
    )
    province = ScopedChoiceFilter(
        queryset=Province.objects.all(), label=_("Province"), empty_label=_("All")
    )

    class Meta:
        model = Session
        fields = ["status", "course", "province"]


class EnrolmentFilterSet(django_filters.FilterSet):
    session = IdFilter(field_name="session", label=_("Session"))
    result = django_filters.MultipleChoiceFilter(choices=EnrolmentResult.choices, label=_("Result"))

    class Meta:
        model = Enrolment
        fields = ["session", "result"]


class CertificateFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=CertificateStatus.choices, label=_("Status")
    )
    course = ScopedChoiceFilter(
        queryset=Course.objects.all(), label=_("Course"), empty_label=_("All")
    )

    class Meta:
        model = Certificate
        fields = ["q", "status", "course"]

    def search(self, queryset, name, value):
        value = (value or "").strip()[:100]
        if not value:
            return queryset
        if value.upper().startswith("TC-"):
            return queryset.filter(number=value.upper())
        return queryset.filter(person__search_name__contains=normalize(value))
