"""Stand-ins the notification tests plug in: a domain service that notifies followers (the
way a real app calls `notify_followers`), and SMS backends that record or block."""

from __future__ import annotations

import os
import time
from pathlib import Path

from entezam.institutions.models import Institution
from entezam.notifications.services import notify_followers
from entezam.notifications.sms import FileSpoolSmsBackend, SmsBackend, SmsError

SENT: list[dict] = []


def institution_status_changed(*, actor, institution: Institution, new_status: str) -> list:
    """What `institutions.services.institution_transition` would add after its write:

    notify_followers(obj=institution, event="follow.update", title=…, exclude=(actor,))
    """
    institution.status = new_status
    Institution.objects.filter(pk=institution.pk).update(status=new_status)
    return notify_followers(
        obj=institution,
        event="follow.update",
        title=f"وضعیت موسسه «{institution.name}» به «{institution.get_status_display()}» تغییر کرد",
        body=f"تغییر در ۱۴۰۴/۰۹/۱۱ توسط {actor}",
        exclude=(actor,),
    )


class RecordingSmsBackend(SmsBackend):
    """Keeps every send in `SENT`; fails while `FAIL_TIMES` says so."""

    fail_times = 0
    permanent = False

    def send(self, *, number: str, text: str, idempotency_key: str) -> str:
        SENT.append({"number": number, "text": text, "key": idempotency_key})
        if RecordingSmsBackend.fail_times > 0:
            RecordingSmsBackend.fail_times -= 1
            raise SmsError(
                "sms_rejected" if RecordingSmsBackend.permanent else "sms_unavailable",
                "gateway says no",
                retry=not RecordingSmsBackend.permanent,
            )
        return f"rec-{idempotency_key}"


class GatedSpoolSmsBackend(FileSpoolSmsBackend):
    """The file spool, plus a log line per send; it then blocks until the gate file exists.

    The provider (the spool) has the message before the block: a worker killed there has
    sent it but not recorded it — the case where only the idempotency key keeps a second
    attempt from sending it twice. Paths come from ENTEZAM_TEST_SMS_GATE_DIR.
    """

    def send(self, *, number: str, text: str, idempotency_key: str) -> str:
        provider_id = super().send(number=number, text=text, idempotency_key=idempotency_key)
        gate_dir = Path(os.environ["ENTEZAM_TEST_SMS_GATE_DIR"])
        with open(gate_dir / "attempts.log", "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {idempotency_key}\n")
        (gate_dir / "blocked").touch()
        deadline = time.monotonic() + 120
        while not (gate_dir / "open").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        return provider_id
