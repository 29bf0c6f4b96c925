"""Reason codes of guidelines, issuances and acknowledgements, and their messages."""

from django.utils.translation import gettext_lazy as _

from entezam.core.errors import MESSAGES as CORE_MESSAGES

MESSAGES = {
    "empty": CORE_MESSAGES["empty"],
    "reason_required": CORE_MESSAGES["reason_required"],
    "invalid_code": _("The code must be Latin letters, digits, - or _ (like COOP-1404)."),
    "code_taken": _("Another guideline already has this code."),
    "invalid_clause_number": _("A clause number is numbers joined by dots, like 4 or 4.2."),
    "clause_number_taken": _("This version already has a clause numbered %(number)s."),
    "not_draft": _("Only a draft can be edited; start a new version to change this one."),
    "no_clauses": _("A version needs at least one clause before it is sent for review."),
    "wrong_status": _("This version is %(status)s: it cannot be %(action)s."),
    "approver_is_author": _(
        "The author of a version cannot approve it: a second person must (two-person rule)."
    ),
    "reviewer_is_issuer": _(
        "The administrator who issued without approval cannot review that issue: a second "
        "administrator must."
    ),
    "not_emergency": _("This version was approved before it was issued: there is no review."),
    "already_reviewed": _("This emergency issue has already been reviewed."),
    "draft_exists": _("This guideline already has a version in progress; continue that one."),
    "procedure_not_issued": _(
        "An institution's own procedure is approved by its province officer, not issued."
    ),
    "hq_guideline_review": _("An HQ guideline is approved by a second HQ administrator."),
    "no_audience": _("No institution is in this audience: choose another province or kind."),
    "deadline_before_issue": _("The deadline must come after the issue date."),
    "not_pending": _("This acknowledgement is not waiting for the institution."),
    "evidence_required": _("Clause %(number)s asks for evidence: %(label)s"),
    "extension_open": _("An extension request is already waiting for a decision."),
    "extension_decided": _("This extension request has already been decided."),
    "extension_not_later": _("The new deadline must come after the current one."),
    "not_staff": _("%(count)s of the chosen people are not current staff of the institution."),
    "no_attendees": _("Choose at least one person who attended."),
    "briefing_in_future": _("A briefing cannot be recorded before it happens."),
    "comments_required": _("Returning a procedure needs at least one comment."),
    "unknown_clause": _("There is no clause %(number)s in this version."),
}
