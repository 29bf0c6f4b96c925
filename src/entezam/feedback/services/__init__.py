"""Writes on citizen messages: intake, triage, routing, handling, the citizen's answer,
escalation and the periodic rounds. Each records one audit event and a history step."""

from .common import clean_contact, clean_text, route
from .handling import (
    dispute_deadline,
    feedback_confirm,
    feedback_dispute,
    feedback_escalate,
    feedback_reroute,
    feedback_resolve,
    feedback_start,
)
from .intake import feedback_submit, feedback_triage, find_duplicate, new_tracking_code
from .rounds import close_unanswered_round, contacts_erase_round, deadlines_round
from .rules import routing_rule_create, routing_rule_update

__all__ = [
    "clean_contact",
    "clean_text",
    "close_unanswered_round",
    "contacts_erase_round",
    "deadlines_round",
    "dispute_deadline",
    "feedback_confirm",
    "feedback_dispute",
    "feedback_escalate",
    "feedback_reroute",
    "feedback_resolve",
    "feedback_start",
    "feedback_submit",
    "feedback_triage",
    "find_duplicate",
    "new_tracking_code",
    "route",
    "routing_rule_create",
    "routing_rule_update",
]
