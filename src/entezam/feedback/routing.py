"""Routing: which levels a message goes to, whom each level is, and its deadline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from entezam.core.persian import add_working_days
from entezam.geo.choices import UnitKind
from entezam.geo.models import PoliceUnit

from .choices import LEVEL_ORDER, Category, Level, Priority, SubjectKind
from .models import Feedback, RoutingRule

# When no rule matches (or HQ has not written any): where each category goes and in how
# many working days it must be resolved. Urgent messages get the shorter deadline.
DEFAULT_LEVELS = {
    Category.APPRECIATION: [Level.INSTITUTION],
    Category.COMPLAINT: [Level.INSTITUTION, Level.POLICE_UNIT],
    Category.SUGGESTION: [Level.PROVINCE],
    Category.CRIME_REPORT: [Level.POLICE_UNIT],
    Category.INQUIRY: [Level.PROVINCE],
}
DEFAULT_DUE_DAYS = {
    Category.APPRECIATION: 10,
    Category.COMPLAINT: 7,
    Category.SUGGESTION: 15,
    Category.CRIME_REPORT: 1,
    Category.INQUIRY: 5,
}
URGENT_DUE_DAYS = 1


@dataclass(frozen=True)
class Target:
    level: str
    institution_id: int | None = None
    police_unit_id: int | None = None
    province_id: int | None = None

    def key(self) -> tuple:
        return (self.level, self.institution_id, self.police_unit_id, self.province_id)


def subject_kind(feedback: Feedback) -> str:
    if feedback.subject_person_id:
        return SubjectKind.PERSON
    if feedback.subject_institution_id:
        return SubjectKind.INSTITUTION
    if feedback.subject_police_unit_id:
        return SubjectKind.POLICE_UNIT
    return SubjectKind.NONE


def matching_rule(feedback: Feedback) -> RoutingRule | None:
    kind = subject_kind(feedback)
    for rule in RoutingRule.objects.filter(is_active=True, category=feedback.category):
        if rule.subject_kind not in (SubjectKind.ANY, kind):
            continue
        if rule.priority and rule.priority != feedback.priority:
            continue
        return rule
    return None


def subject_institution(feedback: Feedback):
    if feedback.subject_institution_id:
        return feedback.subject_institution
    if feedback.subject_person_id:
        employment = (
            feedback.subject_person.employments.filter(end_date__isnull=True)
            .select_related("institution")
            .order_by("-start_date")
            .first()
        )
        if employment is not None:
            return employment.institution
    return None


def place_unit(feedback: Feedback) -> PoliceUnit | None:
    """The police unit for the message's place: a station of its county, else the
    provincial command of its province."""
    if feedback.subject_police_unit_id:
        return feedback.subject_police_unit
    institution = subject_institution(feedback)
    if institution is not None and institution.supervising_unit_id:
        return institution.supervising_unit
    units = PoliceUnit.objects.filter(is_active=True)
    if feedback.county_id:
        station = (
            units.filter(county_id=feedback.county_id, kind=UnitKind.STATION).order_by("id").first()
        )
        if station is not None:
            return station
    if feedback.province_id:
        return (
            units.filter(province_id=feedback.province_id, kind=UnitKind.PROVINCIAL_COMMAND)
            .order_by("id")
            .first()
        )
    return None


def province_id(feedback: Feedback) -> int | None:
    if feedback.province_id:
        return feedback.province_id
    institution = subject_institution(feedback)
    if institution is not None:
        return institution.province_id
    unit = place_unit(feedback)
    return unit.province_id if unit is not None else None


def resolve(feedback: Feedback, level: str) -> Target | None:
    """The target of `level` for this message, or None when it has none."""
    if level == Level.INSTITUTION:
        institution = subject_institution(feedback)
        return Target(level, institution_id=institution.pk) if institution else None
    if level == Level.POLICE_UNIT:
        unit = place_unit(feedback)
        return Target(level, police_unit_id=unit.pk) if unit else None
    if level == Level.PROVINCE:
        province = province_id(feedback)
        return Target(level, province_id=province) if province else None
    return Target(Level.HQ)


def resolve_up(feedback: Feedback, level: str) -> Target:
    """The target of `level`, or of the first level above it that resolves (HQ always does)."""
    for candidate in LEVEL_ORDER[LEVEL_ORDER.index(level) :]:
        target = resolve(feedback, candidate)
        if target is not None:
            return target
    return Target(Level.HQ)


def targets_for(feedback: Feedback) -> tuple[list[Target], int]:
    """The targets a message is routed to and the working days it has to be resolved."""
    rule = matching_rule(feedback)
    levels = rule.levels if rule else DEFAULT_LEVELS[feedback.category]
    days = rule.due_working_days if rule else DEFAULT_DUE_DAYS[feedback.category]
    if feedback.priority == Priority.URGENT:
        days = min(days, URGENT_DUE_DAYS)
    targets: dict[tuple, Target] = {}
    for level in levels:
        target = resolve_up(feedback, level)
        targets.setdefault(target.key(), target)
    return list(targets.values()), days


def next_level(levels: list[str]) -> str | None:
    """The level above the highest of `levels` (None above HQ)."""
    highest = max((LEVEL_ORDER.index(level) for level in levels), default=-1)
    if highest + 1 >= len(LEVEL_ORDER):
        return None
    return LEVEL_ORDER[highest + 1]


def due_date(start: datetime.date, days: int) -> datetime.date:
    return add_working_days(start, days)
