"""Demo notifications for the demo users (admin, tehran, station, manager), so the bell has
something to show. Idempotent: every notification has a demo dedupe key.

The demo users are the `users` seed step (order 35), which runs before this one; when
they do not exist (a seed without them) this step says so and creates nothing.
The records each user's notifications point to are reached through their own role
assignment (province, police unit, institution): this app imports no domain app.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from entezam.accounts.models import User
from entezam.core.persian.jalali import format_jalali

from .models import Notification
from .services import follow, notify

DEMO_USERNAMES = ("admin", "tehran", "station", "manager")
WELCOME = (
    "به سامانه انتظام خوش آمدید",
    "اعلان‌های شما در این فهرست می‌آیند. در «تنظیمات اعلان‌ها» انتخاب کنید کدام دسته "
    "با رایانامه و پیامک هم برسد؛ اعلان‌های فوری به‌طور پیش‌فرض پیامک می‌شوند.",
)


def _assignment(user: User, field: str):
    return next(
        (getattr(a, field) for a in user.role_assignments_cached() if getattr(a, f"{field}_id")),
        None,
    )


def _plan(user: User) -> list[dict]:
    """The demo notifications of one user: (hours ago, read?, notify() arguments)."""
    plan = [
        {
            "hours": 72,
            "read": user.username == "admin",
            "event": "announcement",
            "title": WELCOME[0],
            "body": WELCOME[1],
            "url": reverse("notifications:preferences"),
        }
    ]
    if user.username == "admin":
        plan.append(
            {
                "hours": 5,
                "event": "announcement",
                "urgent": True,
                "title": "مهلت دوماهه تهیه و ابلاغ شیوه‌نامه همکاری",
                "body": "ستاد فرماندهی باید شیوه‌نامه همکاری موسسات انتظام با کلانتری‌ها و "
                "پاسگاه‌ها را ظرف دو ماه تهیه کند و به همه موسسات فعال و در حال تکامل ابلاغ کند.",
                "url": reverse("institutions:list") + "?status=active&status=developing",
            }
        )
    if (province := _assignment(user, "province")) is not None:
        plan.append(
            {
                "hours": 26,
                "event": "assignment",
                "title": f"بررسی موسسات متقاضی استان {province.name} به شما ارجاع شد",
                "body": "موسسات متقاضی این استان منتظر بررسی و تصمیم شما "
                "برای آغاز دوره تکامل هستند.",
                "url": reverse("institutions:list") + f"?status=applicant&province={province.pk}",
            }
        )
    if (unit := _assignment(user, "police_unit")) is not None:
        plan.append(
            {
                "hours": 8,
                "event": "follow.update",
                "title": f"موسسات تحت نظارت {unit.name}",
                "body": "فهرست موسسات تحت نظارت یگان شما در صفحه یگان است؛ موسسه‌ای که "
                "اعتبار مجوزش رو به پایان است با برچسب زرد مشخص شده است.",
                "obj": unit,
            }
        )
    if (institution := _assignment(user, "institution")) is not None:
        expires = institution.licence_expires_on
        days = (expires - timezone.localdate()).days if expires else None
        plan.append(
            {
                "hours": 2,
                "event": "follow.update",
                "urgent": days is not None and days <= 60,
                "title": f"اعتبار مجوز {institution.name} تا {format_jalali(expires)}"
                if expires
                else f"مجوز {institution.name} تاریخ انقضا ندارد",
                "body": "برای تمدید مجوز، مدارک را پیش از پایان اعتبار به فرماندهی "
                "انتظامی استان ارائه کنید.",
                "obj": institution,
            }
        )
    return plan


def demo_seed(*, actor, rng, options) -> str:
    users = list(User.objects.filter(username__in=DEMO_USERNAMES, is_active=True))
    if not users:
        return "notifications: no demo users yet (they are created by `entezam demo`)"
    now = timezone.now()
    created = 0
    for user in users:
        for index, item in enumerate(_plan(user)):
            obj = item.get("obj")
            if obj is not None:
                follow(actor=user, obj=obj)
            notifications = notify(
                recipients=[user],
                event=item["event"],
                title=item["title"],
                body=item["body"],
                url=item.get("url", ""),
                obj=obj,
                urgent=item.get("urgent", False),
                dedupe_key=f"demo:{user.username}:{index}",
            )
            moment = now - datetime.timedelta(hours=item["hours"])
            for notification in notifications:
                Notification.objects.filter(pk=notification.pk).update(
                    created_at=moment,
                    read_at=moment + datetime.timedelta(hours=1) if item.get("read") else None,
                )
            created += len(notifications)
    return f"notifications: {created} demo notifications"
