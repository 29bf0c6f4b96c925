from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from entezam.core.errors import validation_error

from .errors import MESSAGES
from .lockout import sign_in_locked


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses sign-in to an account after repeated failures (counted by django-axes, which
    hears every failure through Django's `user_login_failed` signal)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": MESSAGES["locked"],
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None and sign_in_locked(self.request, username):
            raise validation_error(
                "locked", self.error_messages, minutes=settings.LOGIN_LOCKOUT_SECONDS // 60
            )
        return super().clean()


class AdminLockoutAuthenticationForm(LockoutAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in page counts failures with the main one: no second door to guess at."""
