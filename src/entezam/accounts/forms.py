from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .lockout import sign_in_locked


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses sign-in to an account after repeated failures (counted by django-axes, which
    hears every failure through Django's `user_login_failed` signal)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed sign-in attempts. Try again in %(minutes)s minutes."),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None and sign_in_locked(self.request, username):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            )
        return super().clean()


class AdminLockoutAuthenticationForm(LockoutAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in page counts failures with the main one: no second door to guess at."""
