"""Demo: the cooperation guideline in Persian, issued, with acknowledgements in every state,
a second version with two changed clauses, a short conduct guideline past its deadline,
and institutions' own procedures (one approved, one under review).

The demo manager's institution acts through the services (acknowledgement with evidence,
a briefing, an extension). The other institutions' answers are history written in bulk,
as the roster import's set-based path writes its rows.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from entezam.accounts.choices import Role
from entezam.accounts.models import User
from entezam.accounts.services import role_assign, user_create
from entezam.institutions.models import Institution
from entezam.personnel.models import Employment

from . import services
from .choices import AckStatus
from .models import Acknowledgement, Briefing, Guideline

# (number, title, text, evidence asked for). A heading has no text.
COOPERATION_V1 = [
    ("1", "کلیات و تعاریف", "", ""),
    (
        "1.1",
        "هدف",
        "این شیوه‌نامه چگونگی همکاری موسسات انتظام، حفاظتی و مراقبتی با کلانتری‌ها و "
        "پاسگاه‌های انتظامی را تعیین می‌کند تا امنیت محل‌های تحت حفاظت با هماهنگی کامل "
        "یگان انتظامی محل و با حفظ کرامت شهروندان تأمین شود.",
        "",
    ),
    (
        "1.2",
        "دامنه",
        "این شیوه‌نامه برای همهٔ موسساتی که پروانهٔ فعالیت دارند یا در حال تکامل‌اند و "
        "برای همهٔ کارکنان آنها (پلیس‌یاران، سرپرستان و مدیران) لازم‌الاجرا است.",
        "",
    ),
    (
        "1.3",
        "تعاریف",
        "- **یگان ناظر**: کلانتری یا پاسگاهی که موسسه در حوزهٔ آن فعالیت می‌کند.\n"
        "- **رابط**: فردی از موسسه که برای هماهنگی با یگان ناظر معرفی می‌شود.\n"
        "- **رخداد**: هر واقعه‌ای که امنیت، جان یا مال اشخاص را در محل تحت حفاظت تهدید کند.",
        "",
    ),
    ("2", "ارتباط با یگان ناظر", "", ""),
    (
        "2.1",
        "معرفی رابط",
        "هر موسسه برای هر کلانتری یا پاسگاهی که در حوزهٔ آن محل تحت حفاظت دارد، یک رابط "
        "و یک جانشین او را کتباً معرفی می‌کند و هر تغییر را ظرف سه روز کاری اطلاع می‌دهد.",
        "نام و شمارهٔ تماس رابط هر کلانتری",
    ),
    (
        "2.2",
        "جلسات هماهنگی",
        "رابط موسسه دست‌کم ماهی یک بار در جلسهٔ هماهنگی یگان ناظر شرکت می‌کند و صورت‌جلسه "
        "را در پروندهٔ موسسه نگه می‌دارد.",
        "",
    ),
    ("3", "معیارهای گزینش", "", ""),
    (
        "3.1",
        "گزینش پیش از به‌کارگیری",
        "هیچ فردی پیش از تأیید صلاحیت در فرایند گزینش و صدور کارت شناسایی معتبر در محل "
        "تحت حفاظت به کار گرفته نمی‌شود.",
        "",
    ),
    (
        "3.2",
        "روش‌نامهٔ گزینش",
        "موسسه روش‌نامهٔ گزینش کارکنان خود را مطابق استانداردهای ستاد می‌نویسد و برای تأیید "
        "به افسر استان می‌فرستد.",
        "",
    ),
    ("4", "آموزش کارکنان و مدیران", "", ""),
    (
        "4.1",
        "آموزش بدو خدمت",
        "هر پلیس‌یار پیش از آغاز کار دورهٔ آموزش بدو خدمت را می‌گذراند و گواهی آن در "
        "پرونده‌اش ثبت می‌شود.",
        "",
    ),
    (
        "4.2",
        "آموزش مدیران",
        "مدیرعامل و سرپرستان موسسه دورهٔ مدیریت را می‌گذرانند و هر دو سال آن را تجدید می‌کنند.",
        "نام مدیرانی که دوره را گذرانده‌اند",
    ),
    ("5", "نظارت یگان‌های انتظامی", "", ""),
    (
        "5.1",
        "بازدید",
        "یگان ناظر می‌تواند در هر زمان از محل‌های تحت حفاظت بازدید کند و موسسه همهٔ "
        "اسناد مربوط به کارکنان و استقرار را در دسترس می‌گذارد.",
        "",
    ),
    (
        "5.2",
        "رفع نواقص",
        "موسسه نواقصی را که در بازدید اعلام می‌شود در مهلت تعیین‌شده رفع و نتیجه را گزارش می‌کند.",
        "",
    ),
    ("6", "رفتار و حفظ کرامت شهروندان", "", ""),
    (
        "6.1",
        "احترام به شهروندان",
        "کارکنان موسسه با همهٔ شهروندان با ادب و احترام رفتار می‌کنند؛ هرگونه توهین، "
        "تبعیض یا برخورد فیزیکی غیرضروری ممنوع است.",
        "",
    ),
    (
        "6.2",
        "حدود اختیارات",
        "کارکنان موسسه ضابط قضایی نیستند و بازداشت، بازرسی بدنی یا توقیف اموال اشخاص جز در "
        "موارد قانونی و با اطلاع فوری به یگان ناظر مجاز نیست.",
        "",
    ),
    ("7", "همکاری در پیشگیری از جرم و گزارش به یگان", "", ""),
    (
        "7.1",
        "گزارش رخداد",
        "موسسه رخدادها را در همان روز به کلانتری یا پاسگاه محل گزارش می‌دهد.",
        "",
    ),
    (
        "7.2",
        "همکاری در پیشگیری",
        "موسسه اطلاعاتی را که برای پیشگیری از جرم در محل تحت حفاظت به دست می‌آورد در اختیار "
        "یگان ناظر می‌گذارد.",
        "",
    ),
    ("8", "پیامدهای تخلف", "", ""),
    (
        "8.1",
        "رسیدگی",
        "تخلف از این شیوه‌نامه به تذکر کتبی، تعلیق پروانه یا لغو آن به تشخیص ستاد می‌انجامد.",
        "",
    ),
]
# Version 2: two clauses changed (reporting becomes immediate; managers' course yearly).
COOPERATION_V2_CHANGES = {
    "7.1": "موسسه رخدادها را فوری و حداکثر ظرف دو ساعت به کلانتری یا پاسگاه محل گزارش "
    "می‌دهد و گزارش کتبی را تا پایان همان روز می‌فرستد.",
    "4.2": "مدیرعامل و سرپرستان موسسه دورهٔ مدیریت را می‌گذرانند و هر سال آن را تجدید می‌کنند.",
}
CONDUCT = [
    (
        "1",
        "پوشش و نشان",
        "پلیس‌یار در ساعت کار لباس متحدالشکل موسسه و کارت شناسایی معتبر را به همراه دارد.",
        "",
    ),
    (
        "2",
        "پاسخ‌گویی",
        "پلیس‌یار در برابر پرسش شهروندان خود را معرفی می‌کند و شمارهٔ ۱۹۷ را برای پیشنهاد "
        "و شکایت در اختیار آنان می‌گذارد.",
        "",
    ),
]
PROCEDURE = [
    (
        "1",
        "ثبت‌نام",
        "داوطلب فرم ثبت‌نام را با مدارک هویتی و تحصیلی در دفتر موسسه تحویل می‌دهد.",
        "",
    ),
    (
        "2",
        "مصاحبه",
        "دو نفر از سرپرستان با هر داوطلب مصاحبهٔ حضوری می‌کنند و نتیجه را در فرم ارزیابی می‌نویسند.",
        "",
    ),
]


def _reviewer() -> User:
    user = User.objects.filter(username="admin2").first()
    if user is None:
        user = user_create(
            actor=None, username="admin2", password="Entezam-1404", display_name="معاون ستاد"
        )
    role_assign(actor=None, user=user, role=Role.HQ_ADMIN)
    return user


def _write(version, clauses, author) -> None:
    for number, title, body, evidence in clauses:
        services.clause_save(
            actor=author,
            version=version,
            number=number,
            title=title,
            body=body,
            is_heading=not body,
            requires_evidence=bool(evidence),
            evidence_label=evidence,
        )


def _history(issuance, rng, *, acknowledged: float, extended: float, today) -> None:
    """Other institutions' answers, in bulk: acknowledged some days after issue, a few
    granted more time."""
    rows = list(issuance.acknowledgements.filter(status=AckStatus.PENDING))
    staff = {}
    for ack in rows:
        draw = rng.random()
        if draw < acknowledged:
            ack.status = AckStatus.ACKNOWLEDGED
            ack.acknowledged_at = timezone.make_aware(
                datetime.datetime.combine(
                    min(today, issuance.issued_on + datetime.timedelta(days=rng.randint(3, 45))),
                    datetime.time(10, rng.randint(0, 59)),
                )
            )
            staff[ack.pk] = ack
        elif draw < acknowledged + extended:
            ack.status = AckStatus.EXTENDED
            ack.deadline = ack.deadline + datetime.timedelta(days=rng.choice([15, 20, 30]))
    Acknowledgement.objects.bulk_update(rows, ["status", "acknowledged_at", "deadline"])
    return staff


def _brief_some(acks, rng, recorder, today) -> None:
    for ack in list(acks.values())[:60]:
        people = list(
            Employment.objects.filter(
                institution_id=ack.institution_id, end_date__isnull=True
            ).values_list("person_id", flat=True)[:400]
        )
        if not people:
            continue
        attended = [p for p in people if rng.random() < 0.75]
        briefing = Briefing.objects.create(
            acknowledgement=ack,
            held_on=min(today, ack.acknowledged_at.date() + datetime.timedelta(days=7)),
            note="جلسهٔ توجیهی در دفتر موسسه",
            recorded_by=recorder,
        )
        briefing.attendees.set(attended)


def demo_seed(*, actor, rng, options) -> str:
    if Guideline.objects.filter(code="COOP-1404").exists():
        return "guidelines: already seeded"
    admin = User.objects.filter(username="admin").first()
    manager = User.objects.filter(username="manager").first()
    officer = User.objects.filter(username="tehran").first()
    if admin is None or manager is None:
        return "guidelines: no demo users yet"
    reviewer = _reviewer()
    today = timezone.localdate()
    home = next(a.institution for a in manager.role_assignments_cached() if a.institution_id)
    with transaction.atomic():
        coop = services.guideline_create(
            actor=admin,
            code="COOP-1404",
            title="شیوه‌نامه همکاری موسسات انتظام با کلانتری‌ها و پاسگاه‌ها",
            kind="cooperation",
            mandate_due_on=today - datetime.timedelta(days=100),
        )
        v1 = coop.versions.get()
        _write(v1, COOPERATION_V1, admin)
        services.version_update(
            actor=admin, version=v1, summary="نخستین پیش‌نویس شیوه‌نامه همکاری", minor=False
        )
        services.version_submit(actor=admin, version=v1)
        services.version_approve(actor=reviewer, version=v1)
        first = services.version_issue(
            actor=admin, version=v1, issued_on=today - datetime.timedelta(days=130)
        )
        acknowledged = _history(first, rng, acknowledged=0.7, extended=0.0, today=today)
        _brief_some(acknowledged, rng, admin, today)
        # The demo manager's institution acknowledged version 1 with its liaison officer.
        home_v1 = first.acknowledgements.get(institution=home)
        if home_v1.is_open:
            liaison = v1.clauses.get(number="2.1")
            managers = v1.clauses.get(number="4.2")
            services.acknowledgement_acknowledge(
                actor=manager,
                ack=home_v1,
                evidence={
                    liaison.pk: "ستوان یکم حمید کریمی، ۰۹۱۲۳۴۵۶۷۸۹",
                    managers.pk: "مدیرعامل و دو سرپرست شیفت",
                },
                comment="به همهٔ سرپرستان ابلاغ شد.",
            )
        # Version 2: two clauses changed; institutions confirm only those.
        v2 = services.version_start(actor=admin, guideline=coop)
        for number, body in COOPERATION_V2_CHANGES.items():
            clause = v2.clauses.get(number=number)
            services.clause_save(
                actor=admin,
                version=v2,
                clause=clause,
                number=number,
                title=clause.title,
                body=body,
                requires_evidence=clause.requires_evidence,
                evidence_label=clause.evidence_label,
            )
        services.version_update(
            actor=admin,
            version=v2,
            summary="گزارش فوری رخداد (بند ۷٫۱) و تجدید سالانهٔ دورهٔ مدیران (بند ۴٫۲)",
            minor=False,
        )
        services.version_submit(actor=admin, version=v2)
        services.version_approve(actor=reviewer, version=v2)
        second = services.version_issue(
            actor=admin, version=v2, issued_on=today - datetime.timedelta(days=50)
        )
        _history(second, rng, acknowledged=0.45, extended=0.05, today=today)
        home_v2 = second.acknowledgements.get(institution=home)
        if home_v2.is_open and officer is not None:
            request = services.extension_request(
                actor=manager, ack=home_v2, reason="دورهٔ مدیران در ماه آینده برگزار می‌شود."
            )
            services.extension_decide(
                actor=officer,
                extension=request,
                grant=True,
                new_deadline=home_v2.deadline + datetime.timedelta(days=20),
                note="با توجه به زمان‌بندی دوره پذیرفته شد.",
            )
        # A short conduct guideline past its deadline: overdue institutions, escalated.
        conduct = services.guideline_create(
            actor=admin, code="CONDUCT-1404", title="شیوه‌نامه رفتار با شهروندان", kind="conduct"
        )
        _write(conduct.versions.get(), CONDUCT, admin)
        services.version_submit(actor=admin, version=conduct.versions.get())
        services.version_approve(actor=reviewer, version=conduct.versions.get())
        third = services.version_issue(
            actor=admin,
            version=conduct.versions.get(),
            issued_on=today - datetime.timedelta(days=80),
        )
        _history(third, rng, acknowledged=0.8, extended=0.03, today=today)
        # Institutions' own procedures: the demo manager's under review, another approved.
        procedure = services.guideline_create(
            actor=manager,
            code=f"PROC-{home.registration_number}",
            title=f"روش‌نامهٔ گزینش کارکنان {home.name}",
            kind="selection",
            owner_institution=home,
        )
        _write(procedure.versions.get(), PROCEDURE, manager)
        services.version_submit(actor=manager, version=procedure.versions.get())
        other = (
            Institution.objects.filter(province=home.province, status="active")
            .exclude(pk=home.pk)
            .first()
        )
        if other is not None and officer is not None:
            approved = services.guideline_create(
                actor=admin,
                code=f"PROC-{other.registration_number}",
                title=f"روش‌نامهٔ گزینش کارکنان {other.name}",
                kind="selection",
                owner_institution=other,
            )
            _write(approved.versions.get(), PROCEDURE, admin)
            services.version_submit(actor=admin, version=approved.versions.get())
            services.version_approve(actor=officer, version=approved.versions.get())
    result = services.reminders_round(today=today)
    return f"guidelines: 3 issuances; {result}"
