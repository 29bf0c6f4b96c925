"""Paging lists that grow to millions of rows without scanning them.

* **Counts that do not scan.** A list is counted exactly up to `COUNT_CAP` rows (a
  `COUNT(*)` over `LIMIT cap + 1` without the list's order: at most that many rows read);
  beyond it the page says "more than N" and, on PostgreSQL, "about M" from the planner's estimate
  (`EXPLAIN`, no rows read).
* **Keyset pages beyond the cap.** Numbered pages (OFFSET) are offered while the list is
  counted exactly; past the cap the list moves by "next" and "previous" cursors
  (`?after=` / `?before=` carrying the last row's sort key), so page 2,000 costs what
  page 1 costs. Keyset needs the sort columns to be non-null; lists sorted on a nullable
  column stay on numbered pages within the cap.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.functional import cached_property

# Lists count exactly up to this many rows (ENTEZAM_LIST_COUNT_CAP).
COUNT_CAP: int = settings.LIST_COUNT_CAP


def planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows `queryset` returns, without reading them."""
    if connection.vendor != "postgresql":
        return None
    try:
        plan = json.loads(queryset.order_by().explain(format="json"))
    except (ValueError, TypeError):
        return None
    return int(plan[0]["Plan"]["Plan Rows"])


class CappedPaginator(Paginator):
    """Counts at most `cap` rows; `capped` says the list is longer. Numbered pages are only
    offered up to the cap (the list's later rows are reached by keyset pages)."""

    def __init__(self, object_list: QuerySet, *args: Any, cap: int | None = None, **kwargs: Any):
        super().__init__(object_list, *args, **kwargs)
        self.rows = object_list
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        # Which rows are counted does not matter, only whether there are more than the cap:
        # without the list's order PostgreSQL stops after the first cap + 1 rows it finds
        # instead of walking (or sorting) them in order (a tenth of the time at 100k).
        rows = self.rows if self.rows.query.distinct_fields else self.rows.order_by()
        return rows[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def estimate(self) -> int | None:
        """About how many rows a capped list has (PostgreSQL), never fewer than the cap."""
        if not self.capped:
            return None
        estimate = planner_estimate(self.rows)
        return None if estimate is None else max(estimate, self.cap + 1)


# --------------------------------------------------------------------------- keyset


def _field(model, path: str):
    """The model field at the end of `path` (`person__search_name`), or None."""
    field = None
    for index, part in enumerate(path.split("__")):
        if part == "pk":
            field = model._meta.pk
        else:
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return None
        if getattr(field, "null", True) or getattr(field, "many_to_many", False):
            return None
        if field.is_relation and index < len(path.split("__")) - 1:
            model = field.related_model
    return field


def keyset_fields(queryset: QuerySet) -> list[str] | None:
    """The list's order as keyset fields (ending in the primary key), or None when a
    column of the order may be null or is an expression (those lists stay on numbered
    pages within the count cap)."""
    given = list(queryset.query.order_by) or list(queryset.model._meta.ordering or [])
    ordering = [name for name in given if isinstance(name, str)]
    if not ordering or len(ordering) != len(given):
        return None
    names = [name for name in ordering if name.lstrip("-") not in ("pk", "id")]
    for name in names:
        field = _field(queryset.model, name.lstrip("-"))
        if field is None or field.is_relation:
            return None
    last = ordering[-1]
    if last.lstrip("-") in ("pk", "id"):
        return [*names, "-pk" if last.startswith("-") else "pk"]
    return [*names, "-pk" if names and names[-1].startswith("-") else "pk"]


def _encode(values: list) -> str:
    def plain(value):
        if isinstance(value, datetime.datetime | datetime.date | datetime.time):
            return value.isoformat()
        if isinstance(value, Decimal | uuid.UUID):
            return str(value)
        return value

    raw = json.dumps([plain(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str, fields: list) -> list | None:
    """The cursor's values checked against the sort fields, or None for a bad cursor."""
    if len(token) > 2000:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw.decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != len(fields):
        return None
    typed = []
    for field, value in zip(fields, values, strict=True):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            return None
        try:
            typed.append(field.to_python(value))
            field.run_validators(typed[-1])  # e.g. an id beyond the column's range
        except (ValidationError, TypeError, ValueError, OverflowError):
            return None
        if typed[-1] is None:
            return None
    return typed


@dataclass
class KeysetPage:
    """One keyset page; the pagination bar shows first/previous/next, never numbers."""

    object_list: list
    has_next: bool
    has_previous: bool
    next_token: str
    previous_token: str
    paginator: Any = None
    keyset: bool = True


class Keyset:
    """Pages of `queryset` in the order of `fields` (from `keyset_fields`), moved by
    cursors instead of offsets."""

    def __init__(self, queryset: QuerySet, fields: list[str], per_page: int):
        self.queryset = queryset
        self.fields = fields
        self.model_fields = [_field(queryset.model, name.lstrip("-")) for name in fields]
        self.per_page = per_page

    def _key(self, row) -> list:
        values = []
        for name in self.fields:
            value: Any = row
            for part in name.lstrip("-").split("__"):
                value = getattr(value, part)
            values.append(value)
        return values

    def _after(self, values: list, *, reverse: bool) -> Q:
        """Rows after `values` in this order (before them when `reverse`)."""
        condition = Q()
        equal = Q()
        for name, value in zip(self.fields, values, strict=True):
            field = name.lstrip("-")
            descending = name.startswith("-") != reverse
            step = equal & Q(**{f"{field}__lt" if descending else f"{field}__gt": value})
            condition = step if not condition else condition | step
            equal &= Q(**{field: value})
        # The same rows, with the first sort column's bound said on its own: PostgreSQL
        # cannot start an index range scan from an OR of conditions, and without it walked
        # the list's index from the first row to the cursor (page 2,000 cost 100+ ms).
        field = self.fields[0].lstrip("-")
        descending = self.fields[0].startswith("-") != reverse
        return Q(**{f"{field}__lte" if descending else f"{field}__gte": values[0]}) & condition

    def _ordered(self, reverse: bool) -> QuerySet:
        order = []
        for name in self.fields:
            descending = name.startswith("-") != reverse
            expression = F(name.lstrip("-"))
            order.append(expression.desc() if descending else expression.asc())
        return self.queryset.order_by(*order)

    def page(self, *, after: str = "", before: str = "") -> KeysetPage:
        """The page after cursor `after`, before cursor `before`, or the first page. A
        cursor that does not decode is treated as no cursor (the first page)."""
        values = None
        reverse = False
        if after:
            values = _decode(after, self.model_fields)
        elif before:
            values = _decode(before, self.model_fields)
            reverse = values is not None
        rows_query = self._ordered(reverse)
        if values is not None:
            rows_query = rows_query.filter(self._after(values, reverse=reverse))
        rows = list(rows_query[: self.per_page + 1])
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if reverse:
            rows.reverse()
        moved = values is not None
        has_next = more if not reverse else True
        has_previous = (more if reverse else moved) and bool(rows)
        return KeysetPage(
            object_list=rows,
            has_next=has_next and bool(rows),
            has_previous=has_previous,
            next_token=_encode(self._key(rows[-1])) if rows else "",
            previous_token=_encode(self._key(rows[0])) if rows else "",
        )


def paginate(request, queryset: QuerySet, per_page: int, *, cap: int | None = None):
    """The page of `queryset` the request asks for: numbered (`?page=`) while the list is
    counted exactly, keyset (`?after=` / `?before=`) past the cap or when a cursor is
    given. The page's `paginator` has `count`, `capped`, `cap` and `estimate`."""
    paginator = CappedPaginator(queryset, per_page, cap=cap)
    after = request.GET.get("after", "")
    before = request.GET.get("before", "")
    ordering = keyset_fields(queryset)
    if ordering and (after or before or paginator.capped):
        page: Any = Keyset(queryset, ordering, per_page).page(after=after, before=before)
        page.paginator = paginator
        return page
    return paginator.get_page(request.GET.get("page"))
