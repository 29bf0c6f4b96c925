"""Forms: the public message form, the operator's call form, and the handling actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from entezam.core.lookups import use_lookup
from entezam.geo.models import County, PoliceUnit, Province
from entezam.institutions.models import Institution

from .choices import Category
from .models import REPLY_MAX_LENGTH, TEXT_MAX_LENGTH, RoutingRule


class PublicFeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "autofocus": True}),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False)
    contact = forms.CharField(
        label=_("Mobile or e-mail (optional)"),
        max_length=100,
        required=False,
        help_text=_("Only the operators and whoever handles your message see it."),
    )
    province = forms.ModelChoiceField(
        label=_("Province (optional)"), queryset=Province.objects.all(), required=False
    )
    county = forms.ModelChoiceField(
        label=_("County (optional)"), queryset=County.objects.all(), required=False
    )
    place = forms.CharField(label=_("Place (optional)"), max_length=200, required=False)
    institution = forms.ModelChoiceField(
        label=_("Security institution it is about (optional)"),
        queryset=Institution.objects.order_by("name"),
        required=False,
    )
    # The card the message is about, when the citizen came from its verification page.
    card = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # The honeypot: hidden from people by CSS; a bot that fills every field gives itself away.
    website = forms.CharField(
        required=False,
        label="",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "class": "fb-hp"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Searched as the citizen types (public lookups), narrowed by the chosen province:
        # the page never ships 850 institutions and 235 counties over a slow line.
        use_lookup(self.fields["county"], "public_county", user=None, parent="province")
        use_lookup(self.fields["institution"], "feedback_institution", user=None, parent="province")

    def clean(self):
        data = super().clean()
        province, county = data.get("province"), data.get("county")
        if county is not None and province is not None and county.province_id != province.pk:
            self.add_error("county", _("The county is not in the chosen province."))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)


class DisputeForm(forms.Form):
    note = forms.CharField(
        label=_("What is still wrong?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CallForm(forms.Form):
    """The operator's form for a phone call: keyboard-first, in the order of the call."""

    contact = forms.CharField(label=_("Caller's number"), max_length=100, required=False)
    text = forms.CharField(
        label=_("What the caller says"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "autofocus": True}),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Use the suggestion")), *Category.choices],
        required=False,
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    subject_card = forms.CharField(label=_("Guard's card number"), max_length=20, required=False)
    subject_national_code = forms.CharField(
        label=_("Guard's national code"), max_length=10, required=False
    )
    subject_institution = forms.CharField(
        label=_("Institution registration number"), max_length=30, required=False
    )
    subject_police_unit = forms.CharField(
        label=_("Police unit code"), max_length=20, required=False
    )
    name = forms.CharField(label=_("Caller's name"), max_length=100, required=False)


class TriageForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)


class ResolveForm(forms.Form):
    reply = forms.CharField(
        label=_("Public reply (the citizen reads it)"),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RerouteForm(forms.Form):
    """ "Not responsible": name who is (a police unit or an institution of the province)."""

    police_unit = forms.ModelChoiceField(
        label=_("Responsible police unit"), queryset=PoliceUnit.objects.none(), required=False
    )
    institution = forms.ModelChoiceField(
        label=_("Responsible institution"), queryset=Institution.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Why"), max_length=500)

    def __init__(self, *args, feedback, **kwargs):
        super().__init__(*args, **kwargs)
        units = PoliceUnit.objects.filter(is_active=True).order_by("kind", "name")
        institutions = Institution.objects.order_by("name")
        if feedback.province_id:
            units = units.filter(province_id=feedback.province_id)
            institutions = institutions.filter(province_id=feedback.province_id)
        self.fields["police_unit"].queryset = units
        self.fields["institution"].queryset = institutions

    def clean(self):
        data = super().clean()
        if bool(data.get("police_unit")) == bool(data.get("institution")):
            raise forms.ValidationError(
                _("Choose the institution or police unit that is responsible.")
            )
        return data


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)


class PeriodForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        choices=[(1, _("This month")), (3, _("Last 3 months")), (12, _("Last 12 months"))],
        required=False,
        empty_value=3,
    )


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "category",
            "subject_kind",
            "priority",
            "to_institution",
            "to_police_unit",
            "to_province",
            "to_hq",
            "due_working_days",
            "order",
            "is_active",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not any(
            data.get(f) for f in ("to_institution", "to_police_unit", "to_province", "to_hq")
        ):
            raise forms.ValidationError(_("Choose at least one level to send messages to."))
        return data
