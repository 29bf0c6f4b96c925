"""Forms of the product's user management (creating users, granting roles, passwords)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from entezam.core.lookups import use_lookup

from .choices import PROVINCE_GRANTABLE, Role
from .services import MIN_PASSWORD, officer_provinces


class RoleScopeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    province = forms.ModelChoiceField(queryset=None, required=False, label=_("Province"))
    police_unit = forms.ModelChoiceField(queryset=None, required=False, label=_("Police unit"))
    institution = forms.ModelChoiceField(queryset=None, required=False, label=_("Institution"))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        Province = apps.get_model("geo", "Province")
        PoliceUnit = apps.get_model("geo", "PoliceUnit")
        Institution = apps.get_model("institutions", "Institution")
        hq = actor.has_role(Role.HQ_ADMIN)
        roles = [(role, label) for role, label in Role.choices if hq or role in PROVINCE_GRANTABLE]
        self.fields["role"].choices = [("", "—"), *roles]
        provinces = Province.objects.all()
        if not hq:
            provinces = provinces.filter(pk__in=officer_provinces(actor))
        self.fields["province"].queryset = provinces.order_by("name")
        self.fields["police_unit"].queryset = PoliceUnit.objects.visible_to(actor)
        self.fields["institution"].queryset = Institution.objects.visible_to(actor)
        use_lookup(self.fields["police_unit"], "police_unit", user=actor, parent="province")
        use_lookup(self.fields["institution"], "institution", user=actor, parent="province")

    def scope(self) -> dict:
        """The scope the chosen role takes (only the field that role uses)."""
        from .choices import ROLE_SCOPES

        data = self.cleaned_data
        kinds = ROLE_SCOPES.get(data["role"], set())
        if "police_unit" in kinds:
            return {"police_unit": data.get("police_unit")}
        if "institution" in kinds:
            return {"institution": data.get("institution")}
        if "province" in kinds and (data.get("province") or "nation" not in kinds):
            return {"province": data.get("province")}
        return {}

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if not role:
            return cleaned
        from .choices import ROLE_SCOPES

        kinds = ROLE_SCOPES.get(role, set())
        for kind in ("province", "police_unit", "institution"):
            if kinds == {kind} and not cleaned.get(kind):
                self.add_error(
                    kind, _("This role needs a %(scope)s.") % {"scope": self.fields[kind].label}
                )
        return cleaned


class UserCreateForm(RoleScopeForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"),
        min_length=MIN_PASSWORD,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    field_order = [
        "username",
        "display_name",
        "password",
        "role",
        "province",
        "police_unit",
        "institution",
    ]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not username.isascii() or " " in username:
            raise forms.ValidationError(_("Use Latin letters, digits and . _ - only."))
        return username


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        min_length=MIN_PASSWORD,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=5, max_length=500)
