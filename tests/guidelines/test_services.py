"""The guideline lifecycle through its services: drafting, the two-person rule, the
emergency path, issuing with Jalali deadlines, late joiners, acknowledging with evidence,
new and minor versions, extensions, briefings, reminders and overdue escalation."""

import datetime

import jdatetime
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from entezam.core.models import AuditEvent
from entezam.core.periodic import run_round
from entezam.guidelines import services
from entezam.guidelines.models import Acknowledgement, Clause, Version
from entezam.notifications.models import Notification
from tests.accounts.factories import user_with_role
from tests.guidelines.conftest import ISSUED_ON, draft
from tests.institutions.factories import InstitutionFactory
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db


def j(y, m, d):
    return jdatetime.date(y, m, d).togregorian()


def codes(error: ValidationError) -> set[str]:
    return (
        {e.code for e in error.error_list}
        if not hasattr(error, "error_dict")
        else {e.code for errors in error.error_dict.values() for e in errors}
    )


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("issued_on", "due"),
    [
        ((1404, 6, 31), (1404, 8, 30)),  # the 31st into a 30-day month
        ((1403, 12, 30), (1404, 2, 30)),  # the leap day of 1403
        ((1404, 12, 29), (1405, 2, 29)),  # 1404 is not leap: Esfand has 29 days
        ((1404, 11, 30), (1405, 1, 30)),
        ((1404, 1, 15), (1404, 3, 15)),
    ],
)
def test_default_deadline_is_two_jalali_months_clamped_to_month_end(issued_on, due):
    assert services.default_deadline(j(*issued_on)) == j(*due)


# --------------------------------------------------------------------------- two people


def test_author_cannot_approve_own_version(world):
    version = draft(world)
    services.version_submit(actor=world.hq_admin, version=version)
    with pytest.raises(ValidationError) as error:
        services.version_approve(actor=world.hq_admin, version=version)
    assert "approver_is_author" in codes(error.value)
    version.refresh_from_db()
    assert version.status == "in_review"


def test_database_refuses_approver_equal_to_author(world):
    version = draft(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Version.objects.filter(pk=version.pk).update(approved_by=world.hq_admin)


def test_second_admin_approves_and_issue_needs_approval(world, hq2):
    version = draft(world)
    with pytest.raises(ValidationError):
        services.version_issue(actor=world.hq_admin, version=version)
    services.version_submit(actor=world.hq_admin, version=version)
    services.version_approve(actor=hq2, version=version)
    issuance = services.version_issue(actor=world.hq_admin, version=version, issued_on=ISSUED_ON)
    version.refresh_from_db()
    assert version.status == "issued" and not version.review_pending
    # Every operating institution of the world receives it, with the two-month deadline.
    assert issuance.acknowledgements.count() == 3
    assert issuance.deadline == services.default_deadline(ISSUED_ON)
    assert issuance.number.startswith(jdatetime.date.fromgregorian(date=ISSUED_ON).strftime("%Y/"))
    assert AuditEvent.objects.filter(action="version.issue", actor_id=world.hq_admin.pk).exists()
    # The managers are told.
    assert Notification.objects.filter(recipient=world.manager, event="guideline.issued").exists()


def test_only_hq_admin_approves_an_hq_guideline(world):
    version = draft(world)
    services.version_submit(actor=world.hq_admin, version=version)
    with pytest.raises(PermissionDenied):
        services.version_approve(actor=world.hq_analyst, version=version)
    with pytest.raises(PermissionDenied):
        services.version_approve(actor=world.province_officer, version=version)


def test_manager_cannot_edit_hq_guideline(world):
    version = draft(world)
    # A manager reads HQ's guideline but cannot change it.
    with pytest.raises(PermissionDenied):
        services.clause_save(actor=world.manager, version=version, number="9", body="متن")
    with pytest.raises(PermissionDenied):
        services.guideline_create(actor=world.manager, code="X1", title="شیوه‌نامه", kind="other")


def test_emergency_issue_needs_reason_and_review_by_another_admin(world, hq2):
    version = draft(world)
    with pytest.raises(ValidationError):
        services.version_issue(actor=world.hq_admin, version=version, emergency_reason="کم")
    services.version_issue(
        actor=world.hq_admin, version=version, emergency_reason="دستور فوری فرماندهی"
    )
    version.refresh_from_db()
    assert version.status == "issued" and version.review_pending
    event = AuditEvent.objects.get(action="version.issue_emergency")
    assert event.reason == "دستور فوری فرماندهی"
    # The other administrator is asked to review.
    assert Notification.objects.filter(recipient=hq2, event="guideline.review").exists()
    with pytest.raises(ValidationError) as error:
        services.version_review_emergency(actor=world.hq_admin, version=version, note="بررسی شد")
    assert "reviewer_is_issuer" in codes(error.value)
    services.version_review_emergency(actor=hq2, version=version, note="متن بررسی و تأیید شد")
    version.refresh_from_db()
    assert not version.review_pending and version.emergency_reviewed_by == hq2
    with pytest.raises(ValidationError):
        services.version_review_emergency(actor=hq2, version=version, note="دوباره بررسی")


def test_clause_validation(world):
    version = draft(world)
    with pytest.raises(ValidationError) as error:
        services.clause_save(actor=world.hq_admin, version=version, number="2.1", body="x")
    assert "clause_number_taken" in codes(error.value)
    with pytest.raises(ValidationError):
        services.clause_save(actor=world.hq_admin, version=version, number="a.b", body="x")
    with pytest.raises(ValidationError):
        services.clause_save(
            actor=world.hq_admin, version=version, number="3", body="x", requires_evidence=True
        )
    # Persian digits are read; clauses stay in number order.
    services.clause_save(actor=world.hq_admin, version=version, number="۱٫۲", body="بند تازه")
    assert [c.number for c in version.clauses.all()] == ["1", "1.1", "1.2", "2.1", "2.2"]


# --------------------------------------------------------------------------- acknowledging


def test_acknowledge_requires_evidence_of_marked_clauses(world, issuance):
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    liaison = Clause.objects.get(version=issuance.version, number="2.1")
    with pytest.raises(ValidationError) as error:
        services.acknowledgement_acknowledge(actor=world.manager, ack=ack, evidence={})
    assert "evidence_required" in codes(error.value)
    ack.refresh_from_db()
    assert ack.status == "pending"
    services.acknowledgement_acknowledge(
        actor=world.manager, ack=ack, evidence={liaison.pk: "سروان احمدی، کلانتری ۱۰۱"}
    )
    ack.refresh_from_db()
    assert ack.status == "acknowledged" and ack.acknowledged_by == world.manager
    assert ack.confirmations.get().evidence == "سروان احمدی، کلانتری ۱۰۱"
    with pytest.raises(ValidationError):
        services.acknowledgement_acknowledge(
            actor=world.manager, ack=ack, evidence={liaison.pk: "دوباره"}
        )


def test_manager_cannot_acknowledge_another_institution(world, issuance):
    foreign = issuance.acknowledgements.get(institution=world.inst_b)
    with pytest.raises(Http404):
        services.acknowledgement_acknowledge(actor=world.manager, ack=foreign, evidence={})
    # HQ reads it but acknowledging is the institution's.
    with pytest.raises(PermissionDenied):
        services.acknowledgement_acknowledge(actor=world.hq_admin, ack=foreign, evidence={})


def test_late_joiner_gets_its_own_deadline(world, issuance):
    newcomer = InstitutionFactory(supervising_unit=world.station_a, status="developing")
    closed = InstitutionFactory(supervising_unit=world.station_a, status="closed")
    manager = user_with_role("institution_manager", newcomer, username="newcomer")
    today = datetime.date(2026, 1, 20)
    assert services.late_joiners_round(today=today) == "1 late joiners"
    ack = Acknowledgement.objects.get(institution=newcomer)
    assert ack.joined_on == today and ack.deadline == services.default_deadline(today)
    assert not Acknowledgement.objects.filter(institution=closed).exists()
    assert Notification.objects.filter(recipient=manager, event="guideline.issued").count() == 1
    # Run again: nothing new.
    assert services.late_joiners_round(today=today) == "0 late joiners"


def _new_version(world, approver, issuance, *, minor=False, change=True):
    version = services.version_start(actor=world.hq_admin, guideline=issuance.version.guideline)
    if change:
        clause = version.clauses.get(number="2.2")
        services.clause_save(
            actor=world.hq_admin,
            version=version,
            clause=clause,
            number="2.2",
            title=clause.title,
            body="موسسه رخدادها را فوری و حداکثر ظرف دو ساعت به کلانتری گزارش می‌دهد.",
        )
    services.version_update(
        actor=world.hq_admin, version=version, summary="گزارش فوری", minor=minor
    )
    services.version_submit(actor=world.hq_admin, version=version)
    services.version_approve(actor=approver, version=version)
    return services.version_issue(
        actor=world.hq_admin, version=version, issued_on=ISSUED_ON + datetime.timedelta(days=30)
    )


def test_new_version_reacknowledges_only_changed_clauses(world, hq2, issuance):
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    liaison = Clause.objects.get(version=issuance.version, number="2.1")
    services.acknowledgement_acknowledge(
        actor=world.manager, ack=ack, evidence={liaison.pk: "سروان احمدی"}
    )
    second = _new_version(world, hq2, issuance)
    issuance.refresh_from_db()
    assert not issuance.current and issuance.version.status == "superseded"
    again = second.acknowledgements.get(institution=world.inst_a)
    assert again.status == "pending"
    assert [c.number for c in services.clauses_to_confirm(again)] == ["2.2"]
    # 2.2 asks for no evidence: acknowledging the changed clause needs none.
    services.acknowledgement_acknowledge(actor=world.manager, ack=again, evidence={})
    # An institution that never acknowledged v1 confirms the whole text; its v1 row closes.
    other = second.acknowledgements.get(institution=world.inst_a2)
    assert other.clauses_to_confirm == []
    assert issuance.acknowledgements.get(institution=world.inst_a2).status == "superseded"


def test_minor_version_needs_no_reacknowledgement_but_is_notified(world, hq2, issuance):
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    liaison = Clause.objects.get(version=issuance.version, number="2.1")
    services.acknowledgement_acknowledge(
        actor=world.manager, ack=ack, evidence={liaison.pk: "سروان احمدی"}
    )
    second = _new_version(world, hq2, issuance, minor=True)
    assert second.acknowledgements.get(institution=world.inst_a).status == "acknowledged"
    # Still owed by inst_a2, under its earlier deadline.
    owed = second.acknowledgements.get(institution=world.inst_a2)
    assert owed.status == "pending" and owed.deadline == issuance.deadline
    assert (
        Notification.objects.filter(recipient=world.manager, event="guideline.issued").count() == 2
    )


# --------------------------------------------------------------------------- extensions


def test_extension_granted_by_province_officer(world, issuance):
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    extension = services.extension_request(
        actor=world.manager, ack=ack, reason="آموزش کارکنان تا پایان ماه تمام می‌شود"
    )
    with pytest.raises(ValidationError):
        services.extension_request(actor=world.manager, ack=ack, reason="درخواست دوباره")
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=world.manager, extension=extension, grant=True)
    with pytest.raises(ValidationError) as error:
        services.extension_decide(
            actor=world.province_officer,
            extension=extension,
            grant=True,
            new_deadline=ack.deadline,
        )
    assert "extension_not_later" in codes(error.value)
    later = ack.deadline + datetime.timedelta(days=20)
    services.extension_decide(
        actor=world.province_officer, extension=extension, grant=True, new_deadline=later
    )
    ack.refresh_from_db()
    assert ack.status == "extended" and ack.deadline == later
    assert AuditEvent.objects.filter(action="extension.grant", role="province_officer").exists()


def test_foreign_province_officer_cannot_decide(world, issuance):
    ack = issuance.acknowledgements.get(institution=world.inst_b)
    manager_b = user_with_role("institution_manager", world.inst_b, username="mb")
    extension = services.extension_request(actor=manager_b, ack=ack, reason="دلیل موجه دارد")
    with pytest.raises(Http404):
        services.extension_decide(
            actor=world.province_officer, extension=extension, grant=False, note="رد شد"
        )


def test_extension_refused_needs_reason(world, issuance):
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    extension = services.extension_request(actor=world.manager, ack=ack, reason="دلیل موجه")
    with pytest.raises(ValidationError):
        services.extension_decide(actor=world.province_officer, extension=extension, grant=False)
    services.extension_decide(
        actor=world.province_officer, extension=extension, grant=False, note="دلیل کافی نیست"
    )
    ack.refresh_from_db()
    assert ack.status == "pending"


# --------------------------------------------------------------------------- briefings


def test_briefing_counts_follow_staff_joining_and_leaving(world, issuance):
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    staff = [EmploymentFactory(institution=world.inst_a) for _ in range(3)]
    outsider = EmploymentFactory(institution=world.inst_b)
    with pytest.raises(ValidationError) as error:
        services.briefing_record(
            actor=world.manager,
            ack=ack,
            held_on=datetime.date.today(),
            person_ids=[staff[0].person_id, outsider.person_id],
        )
    assert "not_staff" in codes(error.value)
    services.briefing_record(
        actor=world.manager,
        ack=ack,
        held_on=datetime.date.today(),
        person_ids=[staff[0].person_id, staff[1].person_id],
    )
    assert services.briefing_counts(ack) == {"briefed": 2, "staff": 3, "to_brief": 1}
    EmploymentFactory(institution=world.inst_a)  # a new guard: to be briefed
    assert services.briefing_counts(ack) == {"briefed": 2, "staff": 4, "to_brief": 2}
    staff[0].end_date = datetime.date.today()
    staff[0].end_reason = "resigned"
    staff[0].save()
    assert services.briefing_counts(ack) == {"briefed": 1, "staff": 3, "to_brief": 2}


def test_briefing_in_future_refused(world, issuance):
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    person = EmploymentFactory(institution=world.inst_a).person_id
    with pytest.raises(ValidationError):
        services.briefing_record(
            actor=world.manager,
            ack=ack,
            held_on=datetime.date.today() + datetime.timedelta(days=2),
            person_ids=[person],
        )


# --------------------------------------------------------------------------- reminders


def _reminders(user):
    return list(
        Notification.objects.filter(recipient=user, event="guideline.reminder").values_list(
            "dedupe_key", flat=True
        )
    )


def test_reminders_on_the_right_days_never_twice(world, issuance):
    deadline = issuance.deadline
    day = datetime.timedelta(days=1)
    services.reminders_round(today=deadline - 15 * day)
    assert _reminders(world.manager) == []
    for _ in range(2):
        services.reminders_round(today=deadline - 14 * day)
    assert len(_reminders(world.manager)) == 1
    services.reminders_round(today=deadline - 10 * day)
    assert len(_reminders(world.manager)) == 1
    services.reminders_round(today=deadline - 3 * day)
    services.reminders_round(today=deadline - 2 * day)
    assert len(_reminders(world.manager)) == 2
    services.reminders_round(today=deadline)
    services.reminders_round(today=deadline)
    keys = _reminders(world.manager)
    assert len(keys) == 3 and len(set(keys)) == 3
    # Acknowledged institutions are not reminded.
    manager_a2 = user_with_role("institution_manager", world.inst_a2, username="m2")
    ack_a2 = issuance.acknowledgements.get(institution=world.inst_a2)
    liaison = Clause.objects.get(version=issuance.version, number="2.1")
    services.acknowledgement_acknowledge(
        actor=manager_a2, ack=ack_a2, evidence={liaison.pk: "رابط"}
    )
    services.reminders_round(today=deadline)
    assert _reminders(manager_a2) == []


def test_overdue_flags_and_escalates_once(world, issuance):
    after = issuance.deadline + datetime.timedelta(days=1)
    for _ in range(2):
        services.reminders_round(today=after)
    ack = issuance.acknowledgements.get(institution=world.inst_a)
    assert ack.status == "overdue" and ack.overdue_since == after
    for user in (world.province_officer, world.station_officer, world.manager):
        assert (
            Notification.objects.filter(
                recipient=user, event="guideline.overdue", object_id=str(ack.pk)
            ).count()
            == 1
        )
    # Province A's officer hears of both its institutions, nothing of province B's.
    assert (
        Notification.objects.filter(
            recipient=world.province_officer, event="guideline.overdue"
        ).count()
        == 2
    )
    assert AuditEvent.objects.filter(action="acknowledgement.overdue").count() == 3
    # Late acknowledgement still closes it.
    liaison = Clause.objects.get(version=issuance.version, number="2.1")
    services.acknowledgement_acknowledge(
        actor=world.manager, ack=ack, evidence={liaison.pk: "رابط"}
    )
    ack.refresh_from_db()
    assert ack.status == "acknowledged"


def test_tick_twice_sends_one_reminder(world, issuance, monkeypatch):
    from django.utils import timezone

    today = issuance.deadline - datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    run_round(force=True)
    run_round(force=True)
    assert len(_reminders(world.manager)) == 1


# --------------------------------------------------------------------------- procedures


def test_institution_procedure_reviewed_by_its_province_officer(world):
    guideline = services.guideline_create(
        actor=world.manager,
        code="PROC-A",
        title="روش گزینش کارکنان موسسه امین",
        kind="selection",
        owner_institution=world.inst_a,
    )
    version = guideline.versions.get()
    services.clause_save(
        actor=world.manager, version=version, number="1", body="مصاحبه حضوری با هر داوطلب."
    )
    services.version_submit(actor=world.manager, version=version)
    assert Notification.objects.filter(
        recipient=world.province_officer, event="guideline.review"
    ).exists()
    services.version_return(
        actor=world.province_officer,
        version=version,
        comments={"1": "شرایط مصاحبه‌کننده را بنویسید."},
    )
    version.refresh_from_db()
    assert version.status == "draft" and version.review_comments == {
        "1": "شرایط مصاحبه‌کننده را بنویسید."
    }
    services.version_submit(actor=world.manager, version=version)
    with pytest.raises(PermissionDenied):
        services.version_approve(actor=world.manager, version=version)  # not a reviewer
    services.version_approve(actor=world.province_officer, version=version)
    version.refresh_from_db()
    assert version.status == "approved"
    with pytest.raises(ValidationError):
        services.version_issue(actor=world.hq_admin, version=version)


def test_foreign_scope_cannot_reach_procedure(world):
    manager_b = user_with_role("institution_manager", world.inst_b, username="mb")
    guideline = services.guideline_create(
        actor=manager_b,
        code="PROC-B",
        title="روش گزینش موسسه سپاهان",
        kind="selection",
        owner_institution=world.inst_b,
    )
    version = guideline.versions.get()
    services.clause_save(actor=manager_b, version=version, number="1", body="متن روش.")
    services.version_submit(actor=manager_b, version=version)
    for user in (world.province_officer, world.manager):
        with pytest.raises(Http404):
            services.version_approve(actor=user, version=version)
    with pytest.raises(PermissionDenied):
        services.guideline_create(
            actor=world.manager,
            code="PROC-X",
            title="روش",
            kind="selection",
            owner_institution=world.inst_b,
        )


def test_word_diff_keeps_zwnj_words_whole():
    from entezam.guidelines.text import word_diff

    ops = word_diff("گزارش را می‌دهد.", "گزارش را فوری می‌دهد.")
    assert [(op.tag, op.text) for op in ops] == [
        ("same", "گزارش را "),
        ("added", "فوری "),
        ("same", "می‌دهد."),
    ]
    changed = word_diff("می‌شود", "می‌شوند")
    assert [op.tag for op in changed] == ["removed", "added"]
