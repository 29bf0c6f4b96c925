"""Which events exist and how they are grouped for the preferences page.

An app registers its events from its `AppConfig.ready()`:

    register_category("guidelines", _("Guidelines"), order=40)
    register_event("guideline.reminder", _("Guideline deadline reminder"),
                   category="guidelines", urgent=True)

`notify()` refuses an event nobody registered (a typo would otherwise go out unnoticed
and be impossible to switch off). An urgent event goes out by e-mail and SMS unless the
recipient switched that off; any other event only in the app unless they switched it on.
"""

from __future__ import annotations

from dataclasses import dataclass

from entezam.core.registry import Label


@dataclass(frozen=True)
class Category:
    code: str
    label: Label
    order: int


@dataclass(frozen=True)
class EventType:
    code: str
    label: Label
    category: str
    urgent: bool = False


CATEGORIES: dict[str, Category] = {}
EVENTS: dict[str, EventType] = {}


def register_category(code: str, label: Label, *, order: int = 100) -> None:
    CATEGORIES[code] = Category(code, label, order)


def register_event(code: str, label: Label, *, category: str, urgent: bool = False) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"register the notification category {category!r} before its events")
    EVENTS[code] = EventType(code, label, category, urgent)


def event_type(code: str) -> EventType:
    try:
        return EVENTS[code]
    except KeyError:
        raise ValueError(
            f"unknown notification event {code!r}: register it with register_event()"
        ) from None


def categories() -> list[Category]:
    return sorted(CATEGORIES.values(), key=lambda category: (category.order, category.code))


def event_label(code: str) -> str:
    event = EVENTS.get(code)
    return str(event.label) if event else code
