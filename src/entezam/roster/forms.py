"""The roster upload form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from entezam.core.lookups import use_lookup

from .choices import Mode
from .reading import MAX_FILE_BYTES, upload_problem
from .selectors import importable_institutions


class RosterUploadForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=None,
        empty_label=None,
        to_field_name="pk",
    )
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("CSV (UTF-8 or Windows Arabic/Persian encoding) or XLSX, at most 50 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv", "data-max-bytes": MAX_FILE_BYTES}
        ),
    )
    mode = forms.ChoiceField(
        label=_("How to import"),
        choices=Mode.CHOICES,
        initial=Mode.ATOMIC,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        institutions = importable_institutions(user).order_by("name")
        self.fields["institution"].queryset = institutions
        # HQ may import into any of 850 institutions: offered by search, not all listed.
        use_lookup(self.fields["institution"], "importable_institution", user=user)
        if institutions[:2].count() == 1:
            self.fields["institution"].initial = institutions.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = upload_problem(upload)
        if problem:
            raise problem
        return upload
