from django import forms
from django.utils.translation import gettext_lazy as _

from entezam.core.errors import validation_error
from entezam.core.filters import IdField
from entezam.core.lookups import use_lookup
from entezam.core.persian.forms import JalaliDateField, MobileField, NationalCodeField
from entezam.institutions.models import Institution
from entezam.personnel.choices import Education, Gender, MilitaryService, Position
from entezam.personnel.validators import validate_person_name

from .choices import CheckResult, RuleKind
from .errors import MESSAGES
from .rules import RULE_PARAMS

RESULTS_FILE_MAX_MB = 20


class StandardForm(forms.Form):
    """A standard's header and, per rule kind, an on/off switch and its parameters."""

    code = forms.CharField(label=_("Code"), max_length=30, help_text=_("Latin, e.g. GUARD"))
    title = forms.CharField(label=_("Title"), max_length=200)
    positions = forms.MultipleChoiceField(
        label=_("Positions"), choices=Position.choices, widget=forms.CheckboxSelectMultiple
    )
    effective_date = JalaliDateField(label=_("Effective date"), required=False)

    def __init__(self, *args, standard=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule_groups = []
        for kind, label in RuleKind.choices:
            enabled = f"{kind}_enabled"
            self.fields[enabled] = forms.BooleanField(label=label, required=False)
            names = []
            for param, (param_label, default) in RULE_PARAMS[kind].items():
                name = f"{kind}_{param}"
                if kind == RuleKind.MIN_EDUCATION:
                    self.fields[name] = forms.ChoiceField(
                        label=param_label, choices=Education.choices, initial=default
                    )
                else:
                    self.fields[name] = forms.IntegerField(
                        label=param_label, initial=default, min_value=0
                    )
                self.fields[name].required = False
                names.append(name)
            self.rule_groups.append((kind, enabled, names))
        if standard is not None:
            self.initial.update(
                code=standard.code,
                title=standard.title,
                positions=standard.positions,
                effective_date=standard.effective_date,
            )
            for rule in standard.rules.all():
                self.initial[f"{rule.kind}_enabled"] = True
                for param, value in rule.params.items():
                    self.initial[f"{rule.kind}_{param}"] = value
            if standard.pk and standard.status == "draft" and standard.version:
                self.fields["code"].disabled = True

    def rule_fields(self):
        """(switch, [parameter fields]) bound fields, for the template."""
        return [
            (self[enabled], [self[name] for name in names])
            for _kind, enabled, names in self.rule_groups
        ]

    def rules(self) -> dict[str, dict]:
        data = self.cleaned_data
        rules = {}
        for kind, enabled, names in self.rule_groups:
            if data.get(enabled):
                prefix = f"{kind}_"
                rules[kind] = {
                    name[len(prefix) :]: data[name] for name in names if data.get(name) is not None
                }
        return rules


class ScreenForm(forms.Form):
    """What to screen: one application, one institution, or all in scope (`scope=all`)."""

    application = IdField(required=False)
    institution = IdField(required=False)
    scope = forms.ChoiceField(choices=[("all", "all")], required=False)
    next = forms.CharField(required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        wanted = data.get("application") or data.get("institution") or data.get("scope")
        if not self.errors and not wanted:
            # An empty institution must not turn into "everything in scope".
            raise forms.ValidationError(
                _("Choose what to screen: an application, an institution or everything."),
                code="scope_required",
            )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if required:
            self.fields["reason"].min_length = 5


class BackgroundCheckForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=CheckResult.choices)
    checked_on = JalaliDateField(label=_("Checked on"), date_range="past")
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("The records office's reference; left empty, one is generated."),
    )
    detail = forms.CharField(
        label=_("Detail"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MedicalCertificateForm(forms.Form):
    fit = forms.TypedChoiceField(
        label=_("Verdict"),
        choices=[("1", _("Fit for duty")), ("0", _("Not fit for duty"))],
        coerce=lambda value: value == "1",
    )
    issued_on = JalaliDateField(label=_("Issued on"), date_range="past")
    valid_until = JalaliDateField(label=_("Valid until"))
    issuer = forms.CharField(label=_("Issuer"), max_length=150, required=False)


class ResultsFileForm(forms.Form):
    file = forms.FileField(
        label=_("Results file (XLSX or CSV)"),
        help_text=_(
            "Columns (Persian or English headers): national code, result, reference, "
            "check date, detail. Start from the template."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > RESULTS_FILE_MAX_MB * 1024 * 1024:
            raise validation_error("file_too_large", MESSAGES, limit=RESULTS_FILE_MAX_MB)
        return upload


class ApplicantForm(forms.Form):
    """One applicant registered by hand: the person's details and the position applied for."""

    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    national_code = NationalCodeField(label=_("National code"))
    first_name = forms.CharField(
        label=_("First name"), max_length=100, validators=[validate_person_name]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, validators=[validate_person_name]
    )
    father_name = forms.CharField(
        label=_("Father's name"),
        max_length=100,
        required=False,
        validators=[validate_person_name],
    )
    birth_date = JalaliDateField(label=_("Birth date"), date_range="birth")
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    mobile = MobileField(label=_("Mobile"), required=False)
    education = forms.ChoiceField(label=_("Education"), choices=Education.choices)
    military_service = forms.ChoiceField(
        label=_("Military service"),
        choices=[("", _("— (women)")), *MilitaryService.choices],
        required=False,
        help_text=_("Required for men."),
    )

    def __init__(self, *args, institutions=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions.order_by("name")
        for name in ("first_name", "last_name", "father_name", "national_code"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        only = list(institutions.order_by("pk")[:2])
        if len(only) == 1:
            self.fields["institution"].initial = only[0]
            self.fields["institution"].empty_label = None
        elif user is not None:
            # Searched (the scoped lookup), never a list of every institution; the field
            # still accepts only the operating ones it was given.
            use_lookup(self.fields["institution"], "institution", user=user)

    def clean(self):
        data = super().clean()
        # The service checks this too; here it is reported with the other fields' problems.
        if data.get("gender") == Gender.MALE and not data.get("military_service"):
            self.add_error("military_service", _("Military service status is required for men."))
        return data
