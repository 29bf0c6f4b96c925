from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entezam.core.persian.forms import JalaliDateField
from entezam.geo.models import Province
from entezam.institutions.choices import InstitutionKind

from .choices import GuidelineKind


class GuidelineForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=30)
    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=GuidelineKind.choices)
    mandate_due_on = JalaliDateField(label=_("mandate due date"), required=False)


class ClauseForm(forms.Form):
    number = forms.CharField(label=pgettext_lazy("clause", "number"), max_length=20)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    body = forms.CharField(
        label=_("text (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    is_heading = forms.BooleanField(label=_("section heading"), required=False)
    requires_evidence = forms.BooleanField(label=_("asks for evidence"), required=False)
    evidence_label = forms.CharField(label=_("evidence asked for"), max_length=200, required=False)


class VersionForm(forms.Form):
    summary = forms.CharField(
        label=_("summary of changes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minor = forms.BooleanField(label=_("minor (wording only)"), required=False)


class IssueForm(forms.Form):
    issued_on = JalaliDateField(label=_("issue date"), required=False)
    deadline = JalaliDateField(label=_("deadline"), required=False)
    audience_province = forms.ModelChoiceField(
        label=_("province"), queryset=Province.objects.order_by("name"), required=False
    )
    audience_kind = forms.ChoiceField(
        label=_("institution kind"),
        choices=[("", _("every kind")), *InstitutionKind.choices],
        required=False,
    )
    emergency_reason = forms.CharField(
        label=_("reason for issuing without approval"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRequestForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecideForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", pgettext_lazy("extension", "Grant")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
    )
    new_deadline = JalaliDateField(label=_("new deadline"), required=False)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BriefingForm(forms.Form):
    held_on = JalaliDateField(label=_("held on"), date_range="past")
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    attendees = forms.MultipleChoiceField(label=_("attendees"), choices=())

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [(str(p.pk), str(p)) for p in staff]
        self.fields["attendees"].widget.attrs["size"] = 10
