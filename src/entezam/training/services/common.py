"""Names the training services share."""

ENROLMENT = "training.enrolment"
COURSE_FIELDS = (
    "code",
    "title",
    "audience",
    "hours",
    "pass_mark",
    "validity_months",
    "mandatory_for",
    "is_active",
)
SESSION_FIELDS = (
    "course",
    "province",
    "police_unit",
    "venue",
    "start_date",
    "end_date",
    "capacity",
)
# A participant passes with at least this share of the session's days attended.
MIN_ATTENDANCE = 0.8
# A certificate this close to expiry may be renewed by a retake.
RENEWAL_DAYS = 90


def changes_any(obj, data: dict, fields) -> bool:
    return any(getattr(obj, name) != data[name] for name in fields)
