from django import forms
from django.utils.translation import gettext_lazy as _

from entezam.core.persian.forms import JalaliDateField, MobileField

from .models import Person
from .services import EDITABLE_FIELDS


class PersonForm(forms.ModelForm):
    """A person's details; the national code identifies the person and is not edited here."""

    birth_date = JalaliDateField(label=_("Birth date"), date_range="birth")
    mobile = MobileField(label=_("Mobile"), required=False)

    class Meta:
        model = Person
        fields = list(EDITABLE_FIELDS)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "father_name"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
