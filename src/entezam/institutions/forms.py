from django import forms
from django.utils.translation import gettext_lazy as _

from entezam.core.lookups import use_lookup
from entezam.core.persian import check_postal_code, to_ascii_digits
from entezam.core.persian.forms import JalaliDateField, NationalCodeField
from entezam.core.persian.text import active_language, localize_digits
from entezam.core.persian.validators import reason_error
from entezam.geo.models import County, PoliceUnit, Province

from .attachments import ATTACHMENT_MAX_MEGABYTES, LETTER_NUMBER_MAX
from .choices import LETTER_ACTIONS, Transition
from .models import Institution


class InstitutionForm(forms.ModelForm):
    licence_issued_on = JalaliDateField(label=_("Licence issued on"), required=False)
    licence_expires_on = JalaliDateField(label=_("Licence expires on"), required=False)
    managing_director_national_code = NationalCodeField(
        label=_("Managing director's national code"), required=False
    )

    class Meta:
        model = Institution
        fields = [
            "registration_number",
            "name",
            "kind",
            "province",
            "county",
            "supervising_unit",
            "managing_director",
            "managing_director_national_code",
            "licence_number",
            "licence_issued_on",
            "licence_expires_on",
            "authorised_headcount",
            "phone",
            "postal_code",
            "address",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from what the user can see; the service re-checks the scope.
        self.fields["province"].queryset = Province.objects.filter(
            pk__in=PoliceUnit.objects.visible_to(user).values("province")
        )
        self.fields["supervising_unit"].queryset = (
            PoliceUnit.objects.visible_to(user)
            .filter(kind__in=["station", "post", "provincial_command"], is_active=True)
            .select_related("province")
        )
        use_lookup(
            self.fields["supervising_unit"], "supervising_unit", user=user, parent="province"
        )
        use_lookup(self.fields["county"], "county", user=user, parent="province")
        self.fields["county"].queryset = County.objects.filter(
            province__in=self.fields["province"].queryset
        ).select_related("province")
        if self.instance.pk and self.instance.status != "applicant":
            # Registration and licence identity change only through the lifecycle.
            for name in ("registration_number",):
                self.fields[name].disabled = True

    def clean_registration_number(self):
        return to_ascii_digits(self.cleaned_data["registration_number"]).strip()

    def clean_licence_number(self):
        value = to_ascii_digits(self.cleaned_data.get("licence_number") or "").strip()
        return value or None

    def clean_phone(self):
        return to_ascii_digits(self.cleaned_data.get("phone") or "").strip()

    def clean_postal_code(self):
        value = self.cleaned_data.get("postal_code") or ""
        if not value.strip():
            return ""
        result = check_postal_code(value)
        if not result.ok:
            raise reason_error("postal_code", result.reason)
        return result.value


class TransitionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), min_length=5, max_length=2000
    )
    licence_number = forms.CharField(label=_("Licence number"), required=False, max_length=30)
    licence_issued_on = JalaliDateField(label=_("Licence issued on"), required=False)
    licence_expires_on = JalaliDateField(label=_("Licence expires on"), required=False)
    # Checked by the service (length, characters; the file's content, size).
    letter_number = forms.CharField(
        label=_("Letter number"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": LETTER_NUMBER_MAX, "dir": "auto"}),
        help_text=_("The number of the letter that ordered this, if there is one."),
    )
    attachment = forms.FileField(
        label=_("Letter (scan)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action != Transition.ACTIVATE:
            for name in ("licence_number", "licence_issued_on", "licence_expires_on"):
                del self.fields[name]
        if action not in LETTER_ACTIONS:
            del self.fields["letter_number"]
            del self.fields["attachment"]
        else:
            limit = localize_digits(str(ATTACHMENT_MAX_MEGABYTES), active_language())
            self.fields["attachment"].help_text = _(
                "Optional. PDF, JPEG or PNG, up to %(limit)s MB."
            ) % {"limit": limit}
