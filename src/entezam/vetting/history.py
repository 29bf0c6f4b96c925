"""How selection's audit events read: its counts labelled, rules as sentences."""

from __future__ import annotations

from django.utils.html import format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from entezam.core.history import latin
from entezam.core.registry import ChangeKey, register_change_keys
from entezam.personnel.choices import Position

from .choices import ApplicationStatus, RuleKind
from .rules import params_display


def rules_sentences(rules):
    """A standard's rules as the standard page lists them: each rule and its parameters."""
    if not isinstance(rules, dict):
        return str(rules)
    labels = dict(RuleKind.choices)
    items = []
    for kind, params in rules.items():
        shown = "، ".join(
            f"{label}: {value}" for label, value in params_display(kind, dict(params or {}))
        )
        items.append((str(labels.get(kind, kind)), f" ({shown})" if shown else ""))
    return format_html_join("؛ ", "{}{}", items)


def positions_text(positions) -> str:
    labels = dict(Position.choices)
    values = positions if isinstance(positions, list) else [positions]
    return "، ".join(str(labels.get(value, value)) for value in values)


def register() -> None:
    standard = ChangeKey(_("selection standard"), render=latin)
    register_change_keys(
        {
            "rules": ChangeKey(_("rules"), render=rules_sentences),
            "positions": ChangeKey(_("positions"), render=positions_text),
            "retired": ChangeKey(_("retired standard"), render=latin),
            "rescreened": _("applications re-screened"),
            "would_fail": _("current staff who would not pass"),
        },
        scope="vetting.standard",
    )
    register_change_keys({"standard": standard}, scope="vetting.application")
    register_change_keys(
        {"employment": _("employment started"), "standard": standard},
        scope="application.approve",
    )
    register_change_keys(
        {
            "screened": _("applications screened"),
            "needs_review": _("flagged for review"),
            **{
                status: format_lazy(_("moved to “{}”"), label)
                for status, label in ApplicationStatus.choices
            },
        },
        scope="application.screen",
    )
    register_change_keys(
        {
            "created": _("results added"),
            "updated": _("results updated"),
            "unchanged": _("results unchanged"),
            "rejected": _("rows rejected"),
        },
        scope="background_check.import",
    )
