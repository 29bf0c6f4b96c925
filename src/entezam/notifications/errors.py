"""Reason codes of the notifications app and their messages.

A delivery that did not go out keeps its reason code (`Delivery.error_code`) and the
provider's own words (`Delivery.error`); the page shows the message of the code in the
reader's language with the provider's words after it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # Deliveries
    "no_email": _("The recipient has no e-mail address."),
    "no_mobile": _("The recipient has no mobile number."),
    "email_failed": _("The e-mail server did not accept the message."),
    "sms_rejected": _("The SMS gateway refused the message."),
    "sms_unavailable": _("The SMS gateway could not be reached or did not answer."),
    "sms_misconfigured": _("The SMS gateway refused the account: API key, sender line or credit."),
    "interrupted": _(
        "Sending was interrupted (the worker stopped) before the result was recorded."
    ),
    "gave_up": _("Not sent after the last allowed attempt."),
    # Requests
    "not_failed": _("Only a delivery that failed can be sent again."),
    "not_followable": _("This record cannot be followed."),
    "unknown_category": _("Unknown notification category."),
}


def message(code: str, *, detail: str = "") -> str:
    """The message of `code` in the active language, with the provider's words after it."""
    text = str(MESSAGES.get(code, code))
    return f"{text} ({detail})" if detail else text


def error(code: str, field: str | None = None) -> ValidationError:
    """A ValidationError carrying the code's message (on `field`, when given)."""
    exc = ValidationError(MESSAGES[code], code=code)
    return ValidationError({field: exc}) if field else exc
