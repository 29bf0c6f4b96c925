"""Sign-in events the audit log keeps: every failed sign-in and every lockout (by
django-axes), with the address, so HQ sees an account under attack."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from entezam.core import audit

from .lockout import lockout_username
from .models import User


def _target(username: str | None) -> tuple[str, str, str]:
    user = User.objects.filter(username__iexact=username or "").first() if username else None
    if user is not None:
        return (user._meta.label_lower, str(user.pk), str(user))
    return ("accounts.user", "", (username or "")[:150])


@receiver(user_login_failed, dispatch_uid="entezam-login-failed")
def login_failed(sender, credentials, request=None, **kwargs):
    username = lockout_username(request, credentials) if request is not None else None
    username = username or (credentials or {}).get("username")
    audit.record(actor=None, action="login.failed", obj=None, target=_target(username), role="")


@receiver(user_locked_out, dispatch_uid="entezam-login-locked")
def login_locked(sender, request=None, username=None, ip_address=None, **kwargs):
    audit.record(actor=None, action="login.locked", obj=None, target=_target(username), role="")
