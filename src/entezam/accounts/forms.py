from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from entezam.core.errors import validation_error
from entezam.core.middleware import client_ip

from .errors import MESSAGES
from .lockout import address_failed, address_wait, sign_in_locked


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses sign-in to an account after repeated failures (counted by django-axes, which
    hears every failure through Django's `user_login_failed` signal)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": MESSAGES["locked"],
        "slow_down": MESSAGES["slow_down"],
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        ip = client_ip(self.request) if self.request is not None else None
        wait = address_wait(ip)
        if wait:
            # Many failures from one address: it is slowed down, nobody is locked out.
            raise validation_error("slow_down", self.error_messages, seconds=wait)
        if username and self.request is not None and sign_in_locked(self.request, username):
            raise validation_error(
                "locked", self.error_messages, minutes=settings.LOGIN_LOCKOUT_SECONDS // 60
            )
        try:
            return super().clean()
        except ValidationError:
            address_failed(ip)
            raise


class AdminLockoutAuthenticationForm(LockoutAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in page counts failures with the main one: no second door to guess at."""
