"""Writes of guidelines: drafting, the two-person rule, issuing (also on the audited
emergency path), acknowledging clause by clause, extensions, briefings, and the periodic
work (late joiners, reminders, overdue escalation).

Each service is one transaction with one audit event; notifications are written in it and
sent once it commits (`notify`). The periodic functions are idempotent: a reminder carries
a key naming the acknowledgement, its deadline and the day, so a round run twice (or a
task delivered twice) sends nothing new.
"""

from .acknowledging import (
    acknowledgement_acknowledge,
    briefing_counts,
    briefing_record,
    clauses_to_confirm,
    current_staff,
    extension_decide,
    extension_request,
)
from .common import default_deadline
from .drafting import (
    clause_delete,
    clause_save,
    guideline_create,
    guideline_update,
    version_approve,
    version_return,
    version_start,
    version_submit,
    version_update,
    version_withdraw,
)
from .issuing import audience, version_issue, version_review_emergency
from .periodic import late_joiners_round, reminders_round

__all__ = [
    "acknowledgement_acknowledge",
    "audience",
    "briefing_counts",
    "briefing_record",
    "clause_delete",
    "clause_save",
    "clauses_to_confirm",
    "current_staff",
    "default_deadline",
    "extension_decide",
    "extension_request",
    "guideline_create",
    "guideline_update",
    "late_joiners_round",
    "reminders_round",
    "version_approve",
    "version_issue",
    "version_return",
    "version_review_emergency",
    "version_start",
    "version_submit",
    "version_update",
    "version_withdraw",
]
