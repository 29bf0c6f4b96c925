"""Typed selection rules: their parameters, and set-based evaluation.

Evaluation never queries per application. `load_facts` reads, for a whole chunk of
applications, the few facts each rule kind needs (one query per kind), and
`evaluate_rule` is a pure function of those facts, so the bulk screening, the
per-application screen button and the re-screening on activation share one engine.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext_lazy

from entezam.core.errors import NumericText, field_error, shown
from entezam.core.persian import format_jalali
from entezam.core.persian.text import active_language
from entezam.personnel.choices import (
    EDUCATION_RANK,
    RESOLVED_MILITARY_SERVICE,
    Education,
    EndReason,
    Gender,
    MilitaryService,
)
from entezam.personnel.models import Employment, Person

from .choices import CheckResult, RuleKind, RuleOutcome
from .errors import MESSAGES, RULE_DETAILS

# kind -> {param: (label, default)}; a kind without parameters has an empty dict.
RULE_PARAMS: dict[str, dict[str, tuple]] = {
    RuleKind.AGE_RANGE: {
        "min": (gettext_lazy("Minimum age"), 20),
        "max": (gettext_lazy("Maximum age"), 45),
    },
    RuleKind.MIN_EDUCATION: {"level": (gettext_lazy("Minimum education"), Education.DIPLOMA)},
    RuleKind.MILITARY_SERVICE: {},
    RuleKind.BACKGROUND_CHECK: {
        "valid_days": (gettext_lazy("A clear result is valid for (days)"), 365),
    },
    RuleKind.MEDICAL_FITNESS: {},
    RuleKind.NOT_EMPLOYED_ELSEWHERE: {},
    RuleKind.NOT_REVOKED_RECENTLY: {"years": (gettext_lazy("Years without revocation"), 5)},
}


def _positive_int(kind: str, name: str, value, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise field_error(f"{kind}_{name}", "invalid_param", MESSAGES, low=low, high=high)
    return number


def clean_params(kind: str, params: dict | None) -> dict:
    """Fill defaults and validate one rule's parameters; errors name `<kind>_<param>`."""
    if kind not in RULE_PARAMS:
        raise field_error("rules", "unknown_rule_kind", MESSAGES, kind=kind)
    params = dict(params or {})
    cleaned = {name: params.get(name, default) for name, (_l, default) in RULE_PARAMS[kind].items()}
    if kind == RuleKind.AGE_RANGE:
        cleaned["min"] = _positive_int(kind, "min", cleaned["min"], 15, 80)
        cleaned["max"] = _positive_int(kind, "max", cleaned["max"], 15, 80)
        if cleaned["min"] > cleaned["max"]:
            raise field_error("age_range_max", "max_below_min", MESSAGES)
    elif kind == RuleKind.MIN_EDUCATION:
        if cleaned["level"] not in EDUCATION_RANK:
            raise field_error("min_education_level", "unknown_education", MESSAGES)
    elif kind == RuleKind.BACKGROUND_CHECK:
        cleaned["valid_days"] = _positive_int(kind, "valid_days", cleaned["valid_days"], 1, 3650)
    elif kind == RuleKind.NOT_REVOKED_RECENTLY:
        cleaned["years"] = _positive_int(kind, "years", cleaned["years"], 1, 50)
    return cleaned


def params_display(kind: str, params: dict) -> list[tuple[str, str]]:
    """(label, value) pairs for showing a rule's parameters."""
    rows = []
    for name, (label, default) in RULE_PARAMS.get(kind, {}).items():
        value = params.get(name, default)
        if kind == RuleKind.MIN_EDUCATION:
            shown_value = str(Education(value).label) if value in Education.values else str(value)
        else:
            shown_value = shown(value)
        rows.append((str(label), shown_value))
    return rows


def age_on(birth_date: datetime.date, today: datetime.date) -> int:
    """Whole years completed on `today`."""
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def years_before(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a non-leap target year
        return today.replace(year=today.year - years, day=28)


@dataclass
class Facts:
    """What the rules need to know about the people of one chunk, keyed by person id."""

    today: datetime.date
    people: dict[int, dict] = field(default_factory=dict)
    background: dict[int, dict] = field(default_factory=dict)
    medical: dict[int, dict] = field(default_factory=dict)
    employments: dict[int, list[dict]] = field(default_factory=dict)
    revoked: dict[int, datetime.date] = field(default_factory=dict)


def load_facts(person_ids: Iterable[int], kinds: set[str], today: datetime.date) -> Facts:
    """One query per fact the given rule kinds need, for every person at once."""
    from .models import BackgroundCheck, MedicalCertificate  # models imports rules

    ids = list(set(person_ids))
    facts = Facts(today=today)
    if not ids:
        return facts
    facts.people = {
        row["id"]: row
        for row in Person.objects.filter(id__in=ids).values(
            "id", "birth_date", "gender", "education", "military_service"
        )
    }
    if RuleKind.BACKGROUND_CHECK in kinds:
        # Newest first: the first row seen per person is the one that counts.
        for row in (
            BackgroundCheck.objects.filter(person_id__in=ids)
            .order_by("person_id", "-checked_on", "-id")
            .values("person_id", "result", "checked_on", "reference")
        ):
            facts.background.setdefault(row["person_id"], row)
    if RuleKind.MEDICAL_FITNESS in kinds:
        for row in (
            MedicalCertificate.objects.filter(person_id__in=ids)
            .order_by("person_id", "-issued_on", "-valid_until", "-id")
            .values("person_id", "fit", "issued_on", "valid_until")
        ):
            facts.medical.setdefault(row["person_id"], row)
    if RuleKind.NOT_EMPLOYED_ELSEWHERE in kinds:
        for row in Employment.objects.filter(person_id__in=ids, end_date__isnull=True).values(
            "person_id", "institution_id"
        ):
            facts.employments.setdefault(row["person_id"], []).append(row)
    if RuleKind.NOT_REVOKED_RECENTLY in kinds:
        facts.revoked = dict(
            Employment.objects.filter(person_id__in=ids, end_reason=EndReason.REVOKED)
            .values("person_id")
            .annotate(last=Max("end_date"))
            .order_by()
            .values_list("person_id", "last")
        )
    return facts


Verdict = tuple[str, str, dict]  # (outcome, detail code, detail params)


def evaluate_rule(kind: str, params: dict, app: Mapping[str, Any], facts: Facts) -> Verdict:
    """The outcome of one rule for one application (`app` has person_id, institution_id)."""
    person = facts.people[app["person_id"]]
    today = facts.today
    if kind == RuleKind.AGE_RANGE:
        age = age_on(person["birth_date"], today)
        values = {"age": age, "min": params["min"], "max": params["max"]}
        if age < params["min"]:
            return RuleOutcome.FAIL, "age_low", values
        if age > params["max"]:
            return RuleOutcome.FAIL, "age_high", values
        return RuleOutcome.PASS, "age_ok", values
    if kind == RuleKind.MIN_EDUCATION:
        values = {"education": person["education"], "required": params["level"]}
        if EDUCATION_RANK.get(person["education"], -1) < EDUCATION_RANK[params["level"]]:
            return RuleOutcome.FAIL, "education_low", values
        return RuleOutcome.PASS, "education_ok", values
    if kind == RuleKind.MILITARY_SERVICE:
        if person["gender"] != Gender.MALE:
            return RuleOutcome.PASS, "military_not_applicable", {}
        status = person["military_service"]
        if not status:
            return RuleOutcome.REVIEW, "military_unknown", {}
        if status in RESOLVED_MILITARY_SERVICE:
            return RuleOutcome.PASS, "military_resolved", {"status": status}
        return RuleOutcome.FAIL, "military_unresolved", {"status": status}
    if kind == RuleKind.BACKGROUND_CHECK:
        check = facts.background.get(app["person_id"])
        if check is None:
            return RuleOutcome.REVIEW, "background_none", {}
        values = {"date": check["checked_on"].isoformat(), "reference": check["reference"]}
        if check["result"] == CheckResult.DISQUALIFYING:
            return RuleOutcome.FAIL, "background_disqualifying", values
        if check["result"] == CheckResult.PENDING:
            return RuleOutcome.REVIEW, "background_pending", values
        if (today - check["checked_on"]).days > params["valid_days"]:
            return RuleOutcome.REVIEW, "background_stale", {**values, "days": params["valid_days"]}
        return RuleOutcome.PASS, "background_clear", values
    if kind == RuleKind.MEDICAL_FITNESS:
        certificate = facts.medical.get(app["person_id"])
        if certificate is None:
            return RuleOutcome.REVIEW, "medical_none", {}
        if not certificate["fit"]:
            return RuleOutcome.FAIL, "medical_unfit", {"date": certificate["issued_on"].isoformat()}
        values = {"date": certificate["valid_until"].isoformat()}
        if certificate["valid_until"] < today:
            return RuleOutcome.FAIL, "medical_expired", values
        return RuleOutcome.PASS, "medical_valid", values
    if kind == RuleKind.NOT_EMPLOYED_ELSEWHERE:
        jobs = facts.employments.get(app["person_id"], [])
        elsewhere = [j for j in jobs if j["institution_id"] != app["institution_id"]]
        if elsewhere:
            return RuleOutcome.FAIL, "employed_elsewhere", {}
        if jobs:
            return RuleOutcome.PASS, "employed_here", {}
        return RuleOutcome.PASS, "not_employed", {}
    if kind == RuleKind.NOT_REVOKED_RECENTLY:
        years = params["years"]
        last = facts.revoked.get(app["person_id"])
        if last is not None and last > years_before(today, years):
            return RuleOutcome.FAIL, "revoked_recently", {"date": last.isoformat(), "years": years}
        return RuleOutcome.PASS, "not_revoked", {"years": years}
    raise ValueError(f"unknown rule kind {kind!r}")


def describe(code: str, params: dict | None) -> str:
    """The detail of a rule result in the active language."""
    message = RULE_DETAILS.get(code)
    if message is None:
        return code
    values = {}
    for name, value in (params or {}).items():
        if name == "date":
            values[name] = format_jalali(
                datetime.date.fromisoformat(value), digits=active_language()
            )
        elif name in ("education", "required"):
            values[name] = str(Education(value).label) if value in Education.values else value
        elif name == "status":
            values[name] = (
                str(MilitaryService(value).label) if value in MilitaryService.values else value
            )
        elif name == "reference":
            values[name] = shown(NumericText(value or "—"))
        else:
            values[name] = shown(value)
    try:
        return str(message) % values
    except (KeyError, TypeError, ValueError):
        return str(message)
