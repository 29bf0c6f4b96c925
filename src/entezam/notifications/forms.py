from django import forms

from .choices import Channel, ChannelChoice, ReadFilter
from .events import categories


class NotificationFilterForm(forms.Form):
    read = forms.ChoiceField(choices=ReadFilter.choices, required=False)


def preference_field_name(category: str, channel: str) -> str:
    return f"{category}__{channel}"


class PreferencesForm(forms.Form):
    """One choice per category and channel: urgent only (the default), everything, nothing."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in rows:
            category = row["category"]
            fields = []
            for channel, label in Channel.choices:
                name = preference_field_name(category.code, channel)
                self.fields[name] = forms.ChoiceField(
                    label=f"{category.label} — {label}",
                    choices=ChannelChoice.choices,
                    initial=row["choice"][channel],
                )
                fields.append(name)
            self.rows.append({"category": category, "fields": fields})

    def choices(self):
        """(category code, channel, ChannelChoice) for every field."""
        for category in categories():
            for channel in Channel.values:
                name = preference_field_name(category.code, channel)
                if name in self.cleaned_data:
                    yield category.code, channel, self.cleaned_data[name]

    def bound_rows(self):
        for row in self.rows:
            yield {"category": row["category"], "fields": [self[name] for name in row["fields"]]}
