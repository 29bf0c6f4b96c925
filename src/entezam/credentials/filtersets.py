import django_filters
from django.utils.translation import gettext_lazy as _

from entezam.core.persian import normalize, to_ascii_digits

from .choices import CardStatus
from .models import Card


class CardFilterSet(django_filters.FilterSet):
    """Look a card up by its number, or by the person (name or national code)."""

    q = django_filters.CharFilter(method="search", label=_("Card number, name or national code"))
    status = django_filters.MultipleChoiceFilter(choices=CardStatus.choices, label=_("Status"))

    class Meta:
        model = Card
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        text = to_ascii_digits(value or "").strip()[:100]
        if not text:
            return queryset
        if "-" in text and text.replace("-", "").isdigit():
            return queryset.filter(number=text)
        if text.isdigit() and len(text) == 10:
            return queryset.filter(person__national_code=text)
        key = normalize(text)
        if len(key) < 3:
            return queryset.none()
        return queryset.filter(person__search_name__contains=key)
