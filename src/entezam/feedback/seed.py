"""Demo citizen messages: texts from the shipped corpus about Tehran's institutions, spread
over the last three months, at every step of their case (waiting for triage, assigned,
re-routed, resolved with a public reply, confirmed, disputed, escalated past the deadline).

Runs after the demo users (order 35) and people (40). Idempotent: when demo messages
exist, nothing is added.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from entezam.accounts.models import User
from entezam.core.scoping import can
from entezam.geo.models import Province
from entezam.institutions.models import Institution

from . import classifier, services
from .choices import Category, Channel
from .models import Feedback

REPLIES = (
    "با نگهبان مربوط گفت‌وگو شد و تذکر کتبی داده شد. از اطلاع‌رسانی شما سپاسگزاریم.",
    "پیام قدردانی شما به نگهبان و مدیر موسسه رسید و در پرونده ایشان ثبت شد.",
    "پیشنهاد شما در جلسه ماهانه نظارت استان بررسی و به موسسات ابلاغ شد.",
    "پاسخ پرسش شما: کارت صلاحیت نگهبانی دو سال اعتبار دارد و تمدید آن در دفتر نظارت انجام می‌شود.",
)
CONTACTS = ("09121234567", "09351112233", "", "", "09187654321", "")
NAMES = ("مریم احمدی", "علی رضایی", "", "زهرا کریمی", "", "حسین محمدی")


def demo_seed(*, actor, rng, options) -> str:
    if Feedback.objects.exists():
        return "feedback: demo messages already present"
    operator = User.objects.filter(username="operator").first()
    manager = User.objects.filter(username="manager").first()
    station = User.objects.filter(username="station").first()
    if operator is None or manager is None or station is None:
        return "feedback: no demo users yet (they are created by `entezam demo`)"
    tehran = Province.objects.get(code="23")
    home = manager.role_assignments_cached()[0].institution
    others = Institution.objects.filter(province=tehran, status="active").exclude(pk=home.pk)
    institutions = [home, *others[:6]]
    by_category: dict[str, list[str]] = {}
    for text, category in classifier.corpus_examples():
        if len(text) >= 20:
            by_category.setdefault(category, []).append(text)
    # Most messages praise (70-80% at the real 197), the rest spread over the others.
    plan = (
        [Category.APPRECIATION] * 36
        + [Category.COMPLAINT] * 7
        + [Category.SUGGESTION] * 3
        + [Category.INQUIRY] * 3
        + [Category.CRIME_REPORT] * 2
    )
    now = timezone.now()
    made = 0
    for index, category in enumerate(plan):
        text = rng.choice(by_category[category])
        institution = institutions[0] if index % 3 == 0 else rng.choice(institutions)
        feedback = services.feedback_submit(
            channel=Channel.WEB if index % 2 else Channel.PHONE,
            actor=None,
            text=text,
            name=NAMES[index % len(NAMES)],
            contact=CONTACTS[index % len(CONTACTS)],
            province=tehran,
            subject_institution=institution if category != Category.CRIME_REPORT else None,
            subject_police_unit=institution.supervising_unit
            if category == Category.CRIME_REPORT
            else None,
        )
        made += 1
        if feedback.duplicate_of_id or index % 7 == 6:
            continue  # left in the operator's queue
        if feedback.status == "new":
            feedback = services.feedback_triage(
                actor=operator, feedback=feedback, category=category
            )
        step = index % 5
        handler = next((u for u in (manager, station) if can(u, "handle", feedback)), None)
        if handler is None or step == 4:
            pass
        elif step in (0, 1, 2):
            reply = REPLIES[min(index % 4, 3)]
            feedback = services.feedback_resolve(actor=handler, feedback=feedback, reply=reply)
            if step == 0:
                services.feedback_confirm(feedback=feedback)
            elif step == 1 and index % 10 == 1:
                services.feedback_dispute(feedback=feedback, note="هنوز کسی با من تماس نگرفته است")
        elif step == 3 and category == Category.APPRECIATION:
            services.feedback_reroute(
                actor=handler,
                feedback=feedback,
                police_unit=institution.supervising_unit,
                reason="این نگهبان در شیفت کلانتری خدمت می‌کرد",
            )
        created = now - datetime.timedelta(days=rng.randint(0, 85), hours=rng.randint(0, 20))
        Feedback.objects.filter(pk=feedback.pk).update(created_at=created)
        Feedback.objects.filter(pk=feedback.pk, resolved_at__isnull=False).update(
            resolved_at=created + datetime.timedelta(hours=rng.randint(4, 120))
        )
    return f"feedback: {made} citizen messages"
