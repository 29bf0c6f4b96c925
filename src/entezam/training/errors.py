"""Reason codes of training, and their messages."""

from django.utils.translation import gettext_lazy as _

from entezam.core.errors import MESSAGES as CORE_MESSAGES

MESSAGES = {
    "empty": CORE_MESSAGES["empty"],
    "invalid_transition": CORE_MESSAGES["invalid_transition"],
    "code_taken": _("A course with this code exists."),
    "unknown_position": _("Unknown position."),
    "out_of_range": _("The value must be between %(min)s and %(max)s."),
    "prerequisite_self": _("A course cannot be its own prerequisite."),
    "end_before_start": _("The session ends before it starts."),
    "unit_in_other_province": _("The police unit is in another province."),
    "not_a_trainer": _("%(name)s does not hold the trainer role."),
    "trainer_required": _("A session needs at least one trainer."),
    "course_inactive": _("This course is no longer offered."),
    "session_not_enrolling": _("The session is “%(status)s” and takes no more enrolments."),
    "not_eligible": _(
        "Only people with an approved application at the institution, or its managers, "
        "may be enrolled."
    ),
    "session_full": _("The session is full (%(capacity)s seats)."),
    "already_enrolled": _("This person is already enrolled in this session."),
    "overlapping_session": _(
        "This person is enrolled in another session at the same time: %(session)s."
    ),
    "missing_prerequisite": _("This person lacks a valid certificate of: %(courses)s."),
    "already_certified": _("This person holds a certificate of this course valid until %(date)s."),
    "session_not_running": _(
        "The session is “%(status)s”: attendance and scores cannot be recorded."
    ),
    "day_outside_session": _("The day is not one of the session's days."),
    "day_in_future": _("Attendance cannot be recorded for a day still to come."),
    "not_started": _("The session has not started yet."),
    "result_final": _("The result is final: a certificate was issued from it."),
    "enrolment_withdrawn": _("The enrolment was withdrawn."),
    "director_code_missing": _(
        "The institution cannot be activated: its managing director's national code is not "
        "recorded, so their manager-course certificate cannot be checked."
    ),
    "director_not_certified": _(
        "The institution cannot be activated: its managing director (%(name)s) holds no valid "
        "manager-course certificate."
    ),
    "reason_required": CORE_MESSAGES["reason_required"],
    "certificate_not_valid": _("Only a valid certificate can be revoked."),
}
