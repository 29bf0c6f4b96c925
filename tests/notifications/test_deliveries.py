"""Deliveries: e-mail, each SMS backend, claims, retries with backoff, giving up."""

import datetime
import json
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from entezam.core.models import AuditEvent
from entezam.core.periodic import run_round
from entezam.notifications.models import Delivery
from entezam.notifications.services import delivery_retry, delivery_send, notify
from entezam.notifications.sms import (
    ConsoleSmsBackend,
    FileSpoolSmsBackend,
    KavenegarSmsBackend,
    SmsError,
)

from . import fakes

pytestmark = pytest.mark.django_db


def _queued(world, channel="sms") -> Delivery:
    """An urgent notification to the manager; its deliveries stay queued (no commit)."""
    notify(
        recipients=[world.manager],
        event="announcement",
        title="مهلت تأیید دریافت شیوه‌نامه همکاری ۳ روز دیگر است",
        body="شیوه‌نامه را در سامانه تأیید کنید.",
        url="/notifications/",
        urgent=True,
    )
    return Delivery.objects.get(channel=channel, notification__recipient=world.manager)


# --- e-mail


def test_email_goes_through_djangos_backend_with_one_message_id(reachable):
    delivery = _queued(reachable, "email")
    assert delivery_send(delivery_id=delivery.pk) == "sent"

    (message,) = mail.outbox
    assert message.to == ["manager@example.ir"]
    assert message.from_email == "entezam@police.example"
    assert message.subject == "مهلت تأیید دریافت شیوه‌نامه همکاری ۳ روز دیگر است"
    assert "https://entezam.example/notifications/" in message.body
    assert message.extra_headers["Message-ID"] == f"<notification-{delivery.pk}@entezam>"
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.sent_at and delivery.attempts == 1


def test_a_sent_delivery_sent_again_does_nothing(reachable):
    delivery = _queued(reachable, "email")
    delivery_send(delivery_id=delivery.pk)
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_an_email_server_failure_is_retried(reachable, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_deliveries.BrokenEmailBackend"
    delivery = _queued(reachable, "email")
    assert delivery_send(delivery_id=delivery.pk) == "queued"
    delivery.refresh_from_db()
    assert delivery.error_code == "email_failed" and "relay refused" in delivery.error


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("relay refused")


# --- SMS backends


def test_the_sms_text_is_persian_with_the_link(reachable):
    delivery = _queued(reachable)
    delivery_send(delivery_id=delivery.pk)
    (sent,) = fakes.SENT
    assert sent["number"] == "09121234567"
    assert sent["key"] == str(delivery.pk)
    assert sent["text"].startswith("مهلت تأیید دریافت شیوه‌نامه همکاری ۳ روز دیگر است\n")
    assert sent["text"].endswith("\nhttps://entezam.example/notifications/")
    assert len(sent["text"]) <= 201


def test_console_backend_logs_the_message(caplog):
    with caplog.at_level(logging.WARNING, logger="entezam.notifications.sms"):
        provider_id = ConsoleSmsBackend().send(
            number="09121234567", text="سلام ۱۲", idempotency_key="7"
        )
    assert provider_id == "console-7"
    assert "09121234567" in caplog.text and "سلام ۱۲" in caplog.text


def test_file_spool_writes_one_file_per_key_and_a_second_send_is_a_no_op(tmp_path):
    backend = FileSpoolSmsBackend(tmp_path / "spool")
    first = backend.send(number="09121234567", text="پیام یکم ۱۲", idempotency_key="41")
    second = backend.send(number="09121234567", text="پیام دیگر", idempotency_key="41")

    assert first == second == "spool-41"
    (path,) = (tmp_path / "spool").iterdir()
    assert path.name == "41.json"
    content = json.loads(path.read_text(encoding="utf-8"))
    assert content["text"] == "پیام یکم ۱۲" and content["number"] == "09121234567"
    assert "پیام یکم" in path.read_bytes().decode("utf-8")  # UTF-8, not \u escapes


def test_file_spool_refuses_a_key_that_is_a_path(tmp_path):
    with pytest.raises(ValueError):
        FileSpoolSmsBackend(tmp_path).send(number="0912", text="x", idempotency_key="../etc")


def test_file_spool_delivery_end_to_end(reachable, settings, tmp_path):
    settings.ENTEZAM_SMS_BACKEND = "entezam.notifications.sms.FileSpoolSmsBackend"
    delivery = _queued(reachable)
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.provider_id == f"spool-{delivery.pk}"
    assert [p.name for p in (tmp_path / "spool").iterdir()] == [f"{delivery.pk}.json"]


# --- Kavenegar, against a local HTTP server


class Gateway:
    """A local stand-in for Kavenegar's REST API: records requests, answers as told."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answer = (
            200,
            {
                "return": {"status": 200, "message": "تایید شد"},
                "entries": [{"messageid": 8792343, "status": 1}],
            },
        )
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers["Content-Type"],
                        "raw": raw,
                        "fields": urllib.parse.parse_qs(raw.decode("ascii"), encoding="utf-8"),
                    }
                )
                status, body = gateway.answer
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/{{api_key}}/sms/send.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    gateway = Gateway()
    settings.ENTEZAM_SMS_BACKEND = "entezam.notifications.sms.KavenegarSmsBackend"
    settings.ENTEZAM_SMS_URL = gateway.url
    settings.ENTEZAM_SMS_API_KEY = "4A6F-test-key"
    settings.ENTEZAM_SMS_SENDER = "10004346"
    settings.ENTEZAM_SMS_TIMEOUT = "2"
    yield gateway
    gateway.close()


def test_kavenegar_request_fields_utf8_and_localid(reachable, gateway):
    delivery = _queued(reachable)
    assert delivery_send(delivery_id=delivery.pk) == "sent"

    (request,) = gateway.requests
    assert request["path"] == "/v1/4A6F-test-key/sms/send.json"
    assert request["content_type"].startswith("application/x-www-form-urlencoded")
    fields = {name: values[0] for name, values in request["fields"].items()}
    assert fields["receptor"] == "09121234567"
    assert fields["sender"] == "10004346"
    assert fields["localid"] == str(delivery.pk)
    assert fields["message"].startswith("مهلت تأیید دریافت شیوه‌نامه همکاری ۳ روز دیگر است")
    # Persian goes as percent-encoded UTF-8 bytes.
    assert urllib.parse.quote("مهلت".encode()) in request["raw"].decode("ascii")
    delivery.refresh_from_db()
    assert delivery.provider_id == "8792343"


def test_kavenegar_invalid_number_fails_at_once_with_the_reason(reachable, gateway):
    gateway.answer = (
        400,
        {"return": {"status": 411, "message": "گیرنده نامعتبر است"}, "entries": None},
    )
    delivery = _queued(reachable)
    assert delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.error_code == "sms_rejected"
    assert delivery.error == "411 گیرنده نامعتبر است"
    assert "گیرنده نامعتبر است" in delivery.get_error_display()
    assert delivery.next_attempt_at is None


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (
            (
                418,
                {
                    "return": {"status": 418, "message": "اعتبار حساب شما کافی نیست"},
                    "entries": None,
                },
            ),
            "sms_misconfigured",
        ),
        ((502, b"<html>Bad Gateway</html>"), "sms_unavailable"),
        ((200, {"return": {"status": 200, "message": "ok"}, "entries": []}), "sms_unavailable"),
    ],
)
def test_kavenegar_credit_outage_and_odd_answers_are_retried(reachable, gateway, answer, code):
    gateway.answer = answer
    delivery = _queued(reachable)
    assert delivery_send(delivery_id=delivery.pk) == "queued"
    delivery.refresh_from_db()
    assert delivery.error_code == code and delivery.next_attempt_at > timezone.now()


def test_kavenegar_unreachable_is_retried(reachable, settings):
    settings.ENTEZAM_SMS_BACKEND = "entezam.notifications.sms.KavenegarSmsBackend"
    settings.ENTEZAM_SMS_URL = "http://127.0.0.1:9/v1/{api_key}/sms/send.json"
    settings.ENTEZAM_SMS_API_KEY = "k"
    delivery = _queued(reachable)
    assert delivery_send(delivery_id=delivery.pk) == "queued"
    delivery.refresh_from_db()
    assert delivery.error_code == "sms_unavailable"


def test_kavenegar_without_an_api_key_raises_misconfigured():
    with pytest.raises(SmsError) as caught:
        KavenegarSmsBackend(api_key="").send(number="0912", text="x", idempotency_key="1")
    assert caught.value.code == "sms_misconfigured"


# --- claims, retries and giving up


def test_a_live_claim_is_left_alone_and_a_stale_one_is_sent_again_with_the_same_key(reachable):
    delivery = _queued(reachable)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending",
        attempts=1,
        claimed_at=now,
        next_attempt_at=now + datetime.timedelta(minutes=2),
    )
    assert delivery_send(delivery_id=delivery.pk) == "claimed"
    assert fakes.SENT == []

    # The worker died: its claim runs out, a redelivered task takes it over.
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=now - datetime.timedelta(seconds=1)
    )
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert [s["key"] for s in fakes.SENT] == [str(delivery.pk)]
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.error_code == ""


def _time_passes(delivery: Delivery, minutes: float) -> None:
    """As if `minutes` had passed for the delivery's schedule (the round reads the clock)."""
    delivery.refresh_from_db()
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=delivery.next_attempt_at - datetime.timedelta(minutes=minutes)
    )


def test_failures_are_retried_by_the_periodic_round_with_backoff_then_given_up(
    reachable, settings, django_capture_on_commit_callbacks
):
    settings.ENTEZAM_NOTIFY_MAX_ATTEMPTS = "3"
    settings.ENTEZAM_NOTIFY_RETRY_SECONDS = "60"
    fakes.RecordingSmsBackend.fail_times = 10
    delivery = _queued(reachable)

    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    first_retry = delivery.next_attempt_at - delivery.updated_at
    assert delivery.status == "queued" and delivery.attempts == 1
    assert datetime.timedelta(seconds=59) < first_retry <= datetime.timedelta(seconds=61)

    # Not due yet: the round leaves it.
    with django_capture_on_commit_callbacks(execute=True):
        run_round(force=True)
    assert len(fakes.SENT) == 1

    _time_passes(delivery, 1.1)
    with django_capture_on_commit_callbacks(execute=True):
        run_round(force=True)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and len(fakes.SENT) == 2
    second_retry = delivery.next_attempt_at - delivery.updated_at
    assert datetime.timedelta(seconds=119) < second_retry <= datetime.timedelta(seconds=121)

    _time_passes(delivery, 2.1)
    with django_capture_on_commit_callbacks(execute=True):
        run_round(force=True)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 3
    assert delivery.error_code == "sms_unavailable" and delivery.next_attempt_at is None

    Delivery.objects.filter(pk=delivery.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_round(force=True)
    assert len(fakes.SENT) == 3
    assert all(s["key"] == str(delivery.pk) for s in fakes.SENT)


def test_a_retry_that_succeeds_is_sent(reachable, django_capture_on_commit_callbacks):
    fakes.RecordingSmsBackend.fail_times = 1
    delivery = _queued(reachable)
    delivery_send(delivery_id=delivery.pk)
    _time_passes(delivery, 1.1)
    with django_capture_on_commit_callbacks(execute=True):
        run_round(force=True)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2 and delivery.error == ""


def test_a_lost_task_is_dispatched_by_the_periodic_round(
    reachable, django_capture_on_commit_callbacks
):
    delivery = _queued(reachable)  # its dispatch never ran (no commit)
    with django_capture_on_commit_callbacks(execute=True):
        run_round(force=True)
    assert fakes.SENT == []  # its task may still come
    _time_passes(delivery, 3)
    with django_capture_on_commit_callbacks(execute=True):
        run_round(force=True)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and len(fakes.SENT) == 1


def test_a_worker_that_died_every_time_gives_up_as_interrupted(
    reachable, settings, django_capture_on_commit_callbacks
):
    settings.ENTEZAM_NOTIFY_MAX_ATTEMPTS = "2"
    delivery = _queued(reachable)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", attempts=2, claimed_at=timezone.now(), next_attempt_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_round(force=True)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.error_code == "interrupted"
    assert fakes.SENT == []


def test_hq_sends_a_failed_delivery_again_to_the_current_address(
    reachable, django_capture_on_commit_callbacks
):
    fakes.RecordingSmsBackend.fail_times = 1
    fakes.RecordingSmsBackend.permanent = True
    delivery = _queued(reachable)
    delivery_send(delivery_id=delivery.pk)
    reachable.manager.mobile = "09127654321"
    reachable.manager.save(update_fields=["mobile"])

    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(actor=reachable.hq_admin, delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.address == "09127654321"
    assert fakes.SENT[-1]["number"] == "09127654321"
    event = AuditEvent.objects.get(action="delivery.retry")
    assert event.actor == reachable.hq_admin and event.changes["status"] == ["failed", "queued"]


def test_only_hq_retries_and_only_what_failed(reachable):
    from django.core.exceptions import ValidationError
    from django.http import Http404

    delivery = _queued(reachable)
    with pytest.raises(ValidationError):
        delivery_retry(actor=reachable.hq_admin, delivery=delivery)
    Delivery.objects.filter(pk=delivery.pk).update(status="failed")
    with pytest.raises(Http404):
        delivery_retry(actor=reachable.province_officer, delivery=delivery)
