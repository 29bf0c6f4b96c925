"""Identity belongs to the person, not to whichever institution types it.

A registered person's identity (names, father's name, birth date, gender) changes only
through `person_update`, by a role that may edit that person (HQ; the manager of the
institution that employs them now). An intake — a roster row, a registration form — for an
already-registered national code from anyone else must *match* the stored identity to
link the person (open the application); a mismatch is refused (`identity_mismatch`, naming
the fields, never the stored values) and nothing is changed. The other details (mobile,
education, military service) are taken from an intake only when its author may edit the
person.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from entezam.core.persian import normalize

from .models import Person

IDENTITY_FIELDS = ("first_name", "last_name", "father_name", "birth_date", "gender")


def _same(name: str, stored: Any, given: Any) -> bool:
    if name.endswith("_name"):
        return normalize(str(stored or "")) == normalize(str(given or ""))
    if isinstance(stored, datetime.date) and isinstance(given, datetime.date):
        return stored == given
    return str(stored or "") == str(given or "")


def identity_mismatches(stored: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    """The identity fields in which `given` contradicts the registered `stored` values.

    Names are compared normalised (Arabic letter forms, ZWNJ, spacing do not matter); a
    value missing on either side is not compared (an intake without a father's name
    contradicts nothing).
    """
    mismatched = []
    for name in IDENTITY_FIELDS:
        stored_value, given_value = stored.get(name), given.get(name)
        if stored_value in (None, "") or given_value in (None, ""):
            continue
        if not _same(name, stored_value, given_value):
            mismatched.append(name)
    return mismatched


def editable_ids(actor, person_ids: Iterable[int]) -> set[int]:
    """Of `person_ids`, the people `actor` may edit (and so an intake of theirs may update)."""
    ids = list(person_ids)
    if not ids:
        return set()
    return set(
        Person.objects.visible_to(actor, "change").filter(pk__in=ids).values_list("pk", flat=True)
    )
