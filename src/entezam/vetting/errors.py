"""Reason codes of selection (standards, applications, background checks, medical
certificates), the detail codes of rule results, and their messages."""

from django.utils.translation import gettext_lazy as _

from entezam.core.errors import MESSAGES as CORE_MESSAGES
from entezam.personnel.errors import MESSAGES as PERSONNEL_MESSAGES

# Labels the shared messages name (`No %(label)s given.` …).
LABELS = {
    "title": _("standard title"),
    "reference": _("check reference"),
    "checked_on": _("check date"),
    "issued_on": _("issue date"),
}

MESSAGES = {
    # Standards.
    "invalid_code": _("The code must be Latin letters, digits or _ (like GUARD)."),
    "empty": CORE_MESSAGES["empty"],
    "positions_required": _("Choose at least one valid position."),
    "rules_required": _("A standard needs at least one rule."),
    "unknown_rule_kind": _("Unknown rule kind: %(kind)s"),
    "invalid_param": _("Enter a whole number between %(low)s and %(high)s."),
    "max_below_min": _("The maximum age cannot be below the minimum age."),
    "unknown_education": _("Unknown education."),
    "draft_exists": _("%(code)s already has a draft; edit that one."),
    "not_draft": _(
        "Only a draft can be edited or activated; make a new version to change this one."
    ),
    "positions_covered": _("Another active standard covers these positions: %(standards)s"),
    # Applications.
    "unknown_position": PERSONNEL_MESSAGES["unknown_position"],
    "no_active_standard": _("No active selection standard covers this position."),
    "application_exists": _("This person already has an open or approved application here."),
    "institution_not_hiring": _("The institution is “%(status)s” and takes no applicants."),
    "required_for_men": PERSONNEL_MESSAGES["required_for_men"],
    "employed_elsewhere": PERSONNEL_MESSAGES["employed_elsewhere"],
    "invalid_transition": CORE_MESSAGES["invalid_transition"],
    "rule_failed": _("A rule failed: reject the application or screen it again."),
    "background_not_clear": _("The background check has no clear result yet."),
    "background_too_old": _(
        "The newest clear background check is older than %(days)s days: record a new one first."
    ),
    # Background checks, recorded by hand or read from a results file.
    "unknown_result": _("Unknown check result."),
    "in_future": CORE_MESSAGES["in_future"],
    "already_recorded": _("This result was already recorded with this reference."),
    "empty_file": CORE_MESSAGES["empty_file"],
    "unreadable_workbook": _(
        "The file is not a readable XLSX workbook; save it again as XLSX or CSV."
    ),
    "file_too_large": CORE_MESSAGES["file_too_large"],
    "missing_columns": _("The columns %(columns)s are missing from the header row."),
    "invalid_result": _(
        "Result '%(value)s' is not recognised; use clear, disqualifying or pending."
    ),
    # The results file's names for ideas the roster import names `empty`, `too_long` and
    # `in_future`; kept, since reports carry them.
    "reference_required": CORE_MESSAGES["empty"],
    "reference_too_long": CORE_MESSAGES["too_long"],
    "future_date": CORE_MESSAGES["in_future"],
    "duplicate_reference": _(
        "Reference %(reference)s already appears in row %(earlier_row)s with other values."
    ),
    "unknown_person": _("No person with national code %(national_code)s in your area."),
    "reference_other_person": _("Reference %(reference)s was recorded for another person."),
    # Medical certificates.
    "valid_until_before_issue": _("The valid-until date must be after the issue date."),
}

# What a rule result says (its detail code), with the parameters it was evaluated on.
RULE_DETAILS = {
    "age_ok": _("Age %(age)s, within %(min)s–%(max)s."),
    "age_low": _("Age %(age)s, below the minimum of %(min)s."),
    "age_high": _("Age %(age)s, above the maximum of %(max)s."),
    "education_ok": _("Education: %(education)s (at least %(required)s)."),
    "education_low": _("Education: %(education)s; at least %(required)s is required."),
    "military_not_applicable": _("Does not apply to women."),
    "military_resolved": _("Military service: %(status)s."),
    "military_unresolved": _("Military service not resolved: %(status)s."),
    "military_unknown": _("Military service status is not recorded."),
    "background_none": _("No background-check result yet."),
    "background_pending": _("Background check pending (reference %(reference)s)."),
    "background_clear": _("No record (checked on %(date)s)."),
    "background_stale": _(
        "The last clear result (%(date)s) is older than %(days)s days; request a new check."
    ),
    "background_disqualifying": _("Disqualifying record (checked on %(date)s)."),
    "medical_none": _("No medical certificate recorded."),
    "medical_unfit": _("Certified unfit for duty on %(date)s."),
    "medical_expired": _("The medical certificate expired on %(date)s."),
    "medical_valid": _("Fit for duty, valid until %(date)s."),
    "employed_elsewhere": PERSONNEL_MESSAGES["employed_elsewhere"],
    "employed_here": _("Already on this institution's staff."),
    "not_employed": _("No active employment."),
    "revoked_recently": _("Permit revoked on %(date)s, within the last %(years)s years."),
    "not_revoked": _("No permit revoked in the last %(years)s years."),
}
