from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from entezam.core.errors import validation_error
from entezam.core.middleware import client_ip

from . import services
from .errors import MESSAGES


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses sign-in after repeated failures for the account or the address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": MESSAGES["locked"],
    }

    def clean(self):
        username = self.cleaned_data.get("username", "")
        ip = client_ip(self.request) if self.request else None
        if services.login_locked(username, ip):
            from django.conf import settings

            raise validation_error(
                "locked", self.error_messages, minutes=settings.LOGIN_LOCKOUT_SECONDS // 60
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.login_failed(username, ip)
            raise
        services.login_succeeded(username, ip)
        return cleaned


class AdminLockoutAuthenticationForm(LockoutAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in page counts failures with the main one: no second door to guess at."""
