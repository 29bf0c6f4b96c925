"""What goes out on each channel: the e-mail and the SMS of one notification."""

from __future__ import annotations

from django.core.mail import EmailMessage

from entezam.core.persian.text import to_ascii_digits

from . import conf
from .choices import Channel
from .models import Delivery, Notification
from .sms import SmsError, sms_backend

# Three concatenated SMS parts of Persian (UCS-2) text, 67 characters each.
SMS_TEXT_LIMIT = 3 * 67


class ChannelError(Exception):
    """Sending failed: the reason code, the provider's words, whether to try again."""

    def __init__(self, code: str, detail: str = "", *, retry: bool = True):
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.retry = retry


# The reason a delivery is skipped when the recipient has no address for the channel.
NO_ADDRESS: dict[str, str] = {Channel.EMAIL: "no_email", Channel.SMS: "no_mobile"}


def address_of(user, channel: str) -> str:
    """Where a channel reaches the user: the account's e-mail or mobile number."""
    if channel == Channel.EMAIL:
        return (user.email or "").strip()
    return to_ascii_digits(user.mobile or "").strip()


def absolute_url(notification: Notification) -> str:
    url = notification.url
    if not url or "://" in url:
        return url
    return f"{conf.site_url()}/{url.lstrip('/')}"


def sms_text(notification: Notification) -> str:
    """Title, then as much of the text as fits, then the link (never cut)."""
    link = absolute_url(notification)
    room = SMS_TEXT_LIMIT - len(link) - 1 if link else SMS_TEXT_LIMIT
    text = notification.title
    if notification.body:
        text = f"{text}\n{notification.body}"
    if len(text) > room:
        text = text[: max(room - 1, 0)].rstrip() + "…"
    return f"{text}\n{link}" if link else text


def email_message(notification: Notification, delivery: Delivery) -> EmailMessage:
    parts = [notification.body] if notification.body else []
    if link := absolute_url(notification):
        parts.append(link)
    return EmailMessage(
        subject=notification.title,
        body="\n\n".join(parts) or notification.title,
        from_email=conf.email_from(),
        to=[delivery.address],
        # The same Message-ID at every attempt: a mail system that sees the message twice
        # (a retry after a worker died mid-send) can tell it is one message.
        headers={"Message-ID": f"<notification-{delivery.idempotency_key}@entezam>"},
    )


def send(delivery: Delivery) -> str:
    """Send one delivery; returns the provider's message id, raises ChannelError."""
    notification = delivery.notification
    if delivery.channel == Channel.EMAIL:
        try:
            email_message(notification, delivery).send(fail_silently=False)
        except Exception as exc:  # any backend's failure: recorded on the delivery
            raise ChannelError("email_failed", f"{type(exc).__name__}: {exc}") from exc
        return f"<notification-{delivery.idempotency_key}@entezam>"
    try:
        return sms_backend().send(
            number=delivery.address,
            text=sms_text(notification),
            idempotency_key=delivery.idempotency_key,
        )
    except SmsError as exc:
        raise ChannelError(exc.code, exc.detail, retry=exc.retry) from exc
    except Exception as exc:  # a backend's bug or an unexpected answer: retried later
        raise ChannelError("sms_unavailable", f"{type(exc).__name__}: {exc}") from exc
