from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.core.persian.forms import JalaliDateField, NationalCodeField
from entezam.geo.models import PoliceUnit, Province
from entezam.institutions.choices import OPERATING_STATUSES
from entezam.institutions.models import Institution
from entezam.personnel.choices import Position

from .models import Course, Session


def trainers():
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role=Role.TRAINER,
            role_assignments__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class CourseForm(forms.ModelForm):
    mandatory_for = forms.MultipleChoiceField(
        label=_("mandatory for"),
        choices=Position.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    prerequisites = forms.ModelMultipleChoiceField(
        label=_("prerequisites"), queryset=Course.objects.none(), required=False
    )

    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "audience",
            "hours",
            "pass_mark",
            "validity_months",
            "mandatory_for",
            "prerequisites",
            "syllabus",
            "is_active",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        others = Course.objects.all()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.initial["prerequisites"] = list(self.instance.prerequisites.all())
        self.fields["prerequisites"].queryset = others

    def _post_clean(self):
        # The service validates and writes; the form only converts.
        pass


class SessionForm(forms.ModelForm):
    start_date = JalaliDateField(label=_("start date"))
    end_date = JalaliDateField(label=_("end date"))
    trainers = forms.ModelMultipleChoiceField(label=_("trainers"), queryset=trainers())

    class Meta:
        model = Session
        fields = [
            "course",
            "province",
            "police_unit",
            "venue",
            "trainers",
            "start_date",
            "end_date",
            "capacity",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(is_active=True)
        provinces = Province.objects.all()
        if user is not None and not user.has_role(Role.HQ_ADMIN):
            provinces = provinces.filter(
                pk__in=[a.province_id for a in user.role_assignments_cached() if a.province_id]
            )
        self.fields["province"].queryset = provinces
        self.fields["police_unit"].queryset = PoliceUnit.objects.filter(
            province__in=provinces
        ).order_by("province", "name")
        self.fields["trainers"].queryset = trainers()
        if self.instance.pk:
            self.initial["trainers"] = list(self.instance.trainers.all())

    def _post_clean(self):
        pass


class EnrolForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("institution"), queryset=Institution.objects.none()
    )
    national_code = NationalCodeField(label=_("national code"))

    def __init__(self, *args, user=None, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = enrolling_institutions(user, session)


class BulkEnrolForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("institution"), queryset=Institution.objects.none()
    )

    def __init__(self, *args, user=None, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = enrolling_institutions(user, session)


def enrolling_institutions(user, session):
    """Operating institutions the user may enrol for (the session's province)."""
    from .models import Enrolment

    institutions = Institution.objects.visible_to(user).filter(status__in=OPERATING_STATUSES)
    if session is not None:
        institutions = institutions.filter(province=session.province_id)
    if not any(a.role in Enrolment.role_actions["add"] for a in user.role_assignments_cached()):
        return institutions.none()
    return institutions.order_by("name")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
