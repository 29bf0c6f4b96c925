import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from entezam.core.models import AuditEvent
from entezam.feedback import routing, selectors
from entezam.feedback.choices import Category, Level, Priority, Status, SubjectKind
from entezam.feedback.models import Feedback, RoutingRule
from entezam.feedback.services import (
    close_unanswered_round,
    contacts_erase_round,
    deadlines_round,
    feedback_confirm,
    feedback_dispute,
    feedback_escalate,
    feedback_reroute,
    feedback_resolve,
    feedback_start,
    feedback_triage,
)
from entezam.notifications.models import Notification
from tests.accounts.factories import user_with_role

from .helpers import active_targets, submit

pytestmark = pytest.mark.django_db(transaction=False)


def _triaged(world, category, **kwargs):
    feedback = submit(**kwargs)
    return feedback_triage(actor=world.operator, feedback=feedback, category=category)


def test_tracking_code_has_no_look_alike_characters(world):
    codes = {
        submit(text=f"سوال شماره {i} درباره ساعت کاری دفتر نظارت").tracking_code for i in range(20)
    }
    assert len(codes) == 20
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("0O1IL25SZ8B")


def test_web_message_waits_for_triage_with_a_suggestion(world):
    feedback = submit(text="سلام، ساعت کاری دفتر نظارت بر موسسات حفاظتی چه زمانی است؟")
    assert feedback.status == Status.NEW
    assert feedback.suggested_category == Category.INQUIRY
    assert 0 < feedback.suggested_confidence <= 1
    assert not feedback.assignments.exists()
    assert AuditEvent.objects.filter(action="feedback.submit", object_id=str(feedback.pk)).exists()


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        (Category.APPRECIATION, [Level.INSTITUTION]),
        (Category.COMPLAINT, [Level.INSTITUTION, Level.POLICE_UNIT]),
        (Category.SUGGESTION, [Level.PROVINCE]),
        (Category.INQUIRY, [Level.PROVINCE]),
        (Category.CRIME_REPORT, [Level.POLICE_UNIT]),
    ],
)
def test_default_routing_per_category(world, category, expected):
    feedback = _triaged(world, category, subject_institution=world.inst_a)
    levels = sorted(a.level for a in feedback.assignments.filter(is_active=True))
    assert levels == sorted(expected)
    assert feedback.status == Status.ASSIGNED
    targets = dict(active_targets(feedback))
    if Level.INSTITUTION in expected:
        assert targets[Level.INSTITUTION] == world.inst_a.pk
    if Level.POLICE_UNIT in expected:
        # The institution's supervising station.
        assert targets[Level.POLICE_UNIT] == world.station_a.pk
    if Level.PROVINCE in expected:
        assert targets[Level.PROVINCE] == world.province_a.pk


def test_a_rule_hq_edits_overrides_the_default(world):
    RoutingRule.objects.create(
        category=Category.COMPLAINT,
        subject_kind=SubjectKind.INSTITUTION,
        to_province=True,
        to_hq=True,
        due_working_days=3,
        order=1,
    )
    feedback = _triaged(world, Category.COMPLAINT, subject_institution=world.inst_a)
    assert active_targets(feedback) == [(Level.HQ, None), (Level.PROVINCE, world.province_a.pk)]


def test_a_rule_for_another_subject_kind_does_not_match(world):
    RoutingRule.objects.create(
        category=Category.COMPLAINT, subject_kind=SubjectKind.NONE, to_hq=True, order=1
    )
    feedback = _triaged(world, Category.COMPLAINT, subject_institution=world.inst_a)
    assert {a.level for a in feedback.assignments.all()} == {Level.INSTITUTION, Level.POLICE_UNIT}


def test_a_guard_subject_routes_to_their_current_institution(world):
    from tests.personnel.factories import EmploymentFactory

    employment = EmploymentFactory(institution=world.inst_a2)
    feedback = _triaged(world, Category.APPRECIATION, subject_person=employment.person)
    assert active_targets(feedback) == [(Level.INSTITUTION, world.inst_a2.pk)]


def test_a_level_that_cannot_be_resolved_goes_up_never_strands(world):
    # A complaint with no subject and no place: no institution, no unit, no province.
    feedback = _triaged(world, Category.COMPLAINT)
    assert active_targets(feedback) == [(Level.HQ, None)]


def test_crime_report_is_routed_and_notified_at_once(world):
    feedback = submit(
        text="همین الان دو نفر با چاقو جلوی بانک ایستادن و مردم رو تهدید میکنن",
        subject_police_unit=world.station_a,
    )
    assert feedback.category == Category.CRIME_REPORT
    assert feedback.priority == Priority.URGENT
    assert feedback.status == Status.ASSIGNED
    assert active_targets(feedback) == [(Level.POLICE_UNIT, world.station_a.pk)]
    note = Notification.objects.get(recipient=world.station_officer, event="feedback.assigned")
    assert note.urgent
    assert not Notification.objects.filter(recipient=world.manager).exists()


def test_urgent_words_raise_priority_in_any_spelling(world):
    for text in ("آتش‌سوزی در انبار پاساژ", "اتیش گرفته انبار پاساژ", "یه نفر اسلحه داره تو کوچه"):
        assert submit(text=text).priority == Priority.URGENT


def test_working_day_deadline_skips_friday_and_nowruz(world, monkeypatch):
    thursday = datetime.date(2026, 3, 19)
    assert routing.due_date(thursday, 2) == datetime.date(2026, 3, 26)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: thursday)
    RoutingRule.objects.create(
        category=Category.INQUIRY, to_province=True, due_working_days=2, order=1
    )
    feedback = _triaged(world, Category.INQUIRY, province=world.province_a)
    assert feedback.due_date == datetime.date(2026, 3, 26)


def test_operator_correction_is_kept_for_training(world):
    feedback = submit(text="نگهبان ساختمان ما خیلی خوب است")
    feedback_triage(actor=world.operator, feedback=feedback, category=Category.SUGGESTION)
    assert ("نگهبان ساختمان ما خیلی خوب است", Category.SUGGESTION) in selectors.confirmed_labels()


def test_praise_reaches_the_guards_institution(world):
    _triaged(world, Category.APPRECIATION, subject_institution=world.inst_a)
    assert Notification.objects.filter(recipient=world.manager, event="feedback.praise").exists()
    assert selectors.recognition(institution=world.inst_a)["count"] == 1
    assert selectors.recognition(institution=world.inst_b)["count"] == 0


def test_not_responsible_moves_the_message_with_its_history(world):
    feedback = _triaged(world, Category.APPRECIATION, subject_institution=world.inst_a)
    with pytest.raises(ValidationError):
        feedback_reroute(actor=world.manager, feedback=feedback, reason="مربوط به ما نیست")
    feedback_reroute(
        actor=world.manager,
        feedback=feedback,
        police_unit=world.station_a,
        reason="این نگهبان در شعبه کلانتری است",
    )
    feedback.refresh_from_db()
    assert active_targets(feedback) == [(Level.POLICE_UNIT, world.station_a.pk)]
    assert feedback.status == Status.ASSIGNED
    assert feedback.events.filter(kind="rerouted").exists()
    assert Notification.objects.filter(recipient=world.station_officer).exists()
    # The institution no longer reaches the message; the station does.
    assert not Feedback.objects.visible_to(world.manager).filter(pk=feedback.pk).exists()
    assert (
        Feedback.objects.visible_to(world.station_officer, "handle").filter(pk=feedback.pk).exists()
    )


def test_reroute_to_where_it_already_is_is_refused(world):
    feedback = _triaged(world, Category.COMPLAINT, subject_institution=world.inst_a)
    with pytest.raises(ValidationError):
        feedback_reroute(
            actor=world.manager,
            feedback=feedback,
            police_unit=world.station_a,
            reason="مسئول کلانتری است",
        )


def test_resolve_confirm_closes(world):
    feedback = _triaged(world, Category.COMPLAINT, subject_institution=world.inst_a)
    feedback_start(actor=world.manager, feedback=feedback)
    with pytest.raises(ValidationError):
        feedback_resolve(actor=world.manager, feedback=feedback, reply="  ")
    feedback = feedback_resolve(actor=world.manager, feedback=feedback, reply="با نگهبان صحبت شد")
    assert feedback.status == Status.RESOLVED
    feedback = feedback_confirm(feedback=feedback)
    assert feedback.status == Status.CLOSED


def test_dispute_reopens_and_escalates(world):
    feedback = _triaged(world, Category.APPRECIATION, subject_institution=world.inst_a)
    feedback = feedback_resolve(actor=world.manager, feedback=feedback, reply="پیام به نگهبان رسید")
    feedback = feedback_dispute(feedback=feedback, note="هنوز کسی با من تماس نگرفت")
    assert feedback.status == Status.ASSIGNED
    assert feedback.disputes == 1
    assert active_targets(feedback) == [(Level.POLICE_UNIT, world.station_a.pk)]
    with pytest.raises(ValidationError):
        feedback_confirm(feedback=feedback)


def test_dispute_after_the_window_is_refused_and_the_case_closes(world):
    feedback = _triaged(world, Category.COMPLAINT, subject_institution=world.inst_a)
    feedback = feedback_resolve(actor=world.manager, feedback=feedback, reply="رسیدگی شد")
    Feedback.objects.filter(pk=feedback.pk).update(
        resolved_at=timezone.now() - datetime.timedelta(days=15)
    )
    feedback.refresh_from_db()
    with pytest.raises(ValidationError):
        feedback_dispute(feedback=feedback)
    close_unanswered_round()
    feedback.refresh_from_db()
    assert feedback.status == Status.CLOSED


def test_breached_deadline_escalates_to_the_next_level(world):
    feedback = _triaged(world, Category.APPRECIATION, subject_institution=world.inst_a)
    Feedback.objects.filter(pk=feedback.pk).update(due_date=datetime.date(2020, 1, 1))
    assert deadlines_round() == "escalated 1"
    feedback.refresh_from_db()
    assert feedback.breached
    assert feedback.escalations == 1
    assert active_targets(feedback) == [(Level.POLICE_UNIT, world.station_a.pk)]
    assert feedback.due_date > timezone.localdate()
    # Run again the same day: nothing more.
    assert deadlines_round() == "escalated 0"


def test_manual_escalation_stops_at_hq(world):
    feedback = _triaged(world, Category.COMPLAINT)
    assert active_targets(feedback) == [(Level.HQ, None)]
    with pytest.raises(ValidationError):
        feedback_escalate(actor=world.hq_admin, feedback=feedback, reason="بالاتر برود")


def test_contact_is_erased_after_retention(world, settings):
    settings.ENTEZAM_FEEDBACK_CONTACT_RETENTION_DAYS = 30
    feedback = _triaged(
        world,
        Category.COMPLAINT,
        subject_institution=world.inst_a,
        contact="۰۹۱۲۳۴۵۶۷۸۹",
        name="مریم",
    )
    assert feedback.contact == "09123456789"
    feedback = feedback_resolve(actor=world.manager, feedback=feedback, reply="رسیدگی شد")
    feedback_confirm(feedback=feedback)
    contacts_erase_round()
    feedback.refresh_from_db()
    assert feedback.contact == "09123456789"
    Feedback.objects.filter(pk=feedback.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert contacts_erase_round() == "erased 1"
    feedback.refresh_from_db()
    assert feedback.contact == "" and feedback.name == ""
    assert feedback.contact_erased_at is not None


def test_contact_visible_to_operator_and_assignee_only(world):
    feedback = _triaged(
        world, Category.APPRECIATION, subject_institution=world.inst_a, contact="09123456789"
    )
    assert selectors.can_see_contact(world.operator, feedback)
    assert selectors.can_see_contact(world.manager, feedback)
    assert not selectors.can_see_contact(world.hq_analyst, feedback)
    assert not selectors.can_see_contact(world.station_officer, feedback)


def test_near_duplicate_is_linked_not_counted(world):
    first = submit(
        text="نگهبان شعبه بانک ملت با مادرم خیلی بد رفتار کرد", subject_institution=world.inst_a
    )
    second = submit(
        text="نگهبان شعبه بانک ملت با مادرم خیلی بد رفتار کرد!", subject_institution=world.inst_a
    )
    other = submit(
        text="نگهبان شعبه بانک ملت با مادرم خیلی بد رفتار کرد", subject_institution=world.inst_b
    )
    assert second.duplicate_of == first
    assert other.duplicate_of is None
    stats = selectors.statistics_for(
        user=world.hq_admin, start=datetime.date(2000, 1, 1), end=timezone.localdate()
    )
    assert stats.total == 2
    assert selectors.triage_queue(user=world.operator).count() == 2


def test_bad_input_names_the_field(world):
    with pytest.raises(ValidationError) as error:
        submit(text="سل")
    assert "text" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        submit(contact="12345")
    assert "contact" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        submit(text="x" * 5000)
    assert "text" in error.value.message_dict
    assert not Feedback.objects.exists()


def test_rankings_need_a_minimum_number_of_messages(world, settings):
    settings.ENTEZAM_FEEDBACK_MIN_RANKING_COUNT = 3
    for text in (
        "تشکر از نگهبان خوب موسسه در شعبه بانک",
        "نگهبان پاساژ کیف گمشده مرا پیدا کرد، سپاس",
        "خسته نباشید به نیروهای مودب این موسسه در بیمارستان",
    ):
        _triaged(world, Category.APPRECIATION, subject_institution=world.inst_a, text=text)
    _triaged(
        world, Category.APPRECIATION, subject_institution=world.inst_b, text="ممنون از نگهبان موسسه"
    )
    stats = selectors.statistics_for(
        user=world.hq_admin, start=datetime.date(2000, 1, 1), end=timezone.localdate()
    )
    rows = {row.key: row for row in stats.institutions}
    assert rows[world.inst_a.pk].comparable
    assert not rows[world.inst_b.pk].comparable
    # 1 of 1 is 100% but ranks below 3 of 3, and is marked too few to compare.
    assert stats.institutions[0].key == world.inst_a.pk
    low, high = selectors.wilson_interval(1, 1)
    assert high == 1.0 and low < 0.3


def test_foreign_operator_and_assignee_do_not_reach_the_message(world):
    feedback = _triaged(
        world, Category.COMPLAINT, subject_institution=world.inst_a, province=world.province_a
    )
    foreign_operator = user_with_role("center_operator", world.province_b, username="op-b")
    foreign_manager = user_with_role("institution_manager", world.inst_b, username="mgr-b")
    foreign_station = user_with_role("station_officer", world.station_b, username="st-b")
    for user in (foreign_operator, foreign_manager, foreign_station):
        assert not Feedback.objects.visible_to(user).filter(pk=feedback.pk).exists()
        with pytest.raises(Http404):
            selectors.feedback_access(user=user, pk=feedback.pk)
    with pytest.raises(Http404):
        feedback_resolve(actor=foreign_manager, feedback=feedback, reply="رسیدگی شد")
    with pytest.raises(Http404):
        feedback_triage(actor=foreign_operator, feedback=feedback, category=Category.INQUIRY)
    # The analyst reads but does not handle.
    with pytest.raises(PermissionDenied):
        feedback_resolve(actor=world.hq_analyst, feedback=feedback, reply="رسیدگی شد")
