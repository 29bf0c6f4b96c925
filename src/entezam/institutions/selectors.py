"""Reads on institutions: the scoped list, and one institution fetched and authorised."""

from __future__ import annotations

from functools import cache

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from entezam.core.persian import to_ascii_digits
from entezam.core.persian.text import strip_invisible
from entezam.core.scoping import Scope, access, scope_objects

from .models import INSTITUTION_SCOPE_PATHS, Institution, institution_path


def clean_registration_number(value) -> str:
    """A registration number as typed: any digit script, stray spaces and marks removed."""
    return to_ascii_digits(strip_invisible(str(value or ""))).replace(" ", "")


def institution_list(*, user, action: str = "view") -> QuerySet[Institution]:
    return Institution.objects.visible_to(user, action)


def institution_access(
    *, user, pk=None, registration_number: str | None = None, action: str = "view"
) -> Institution:
    """One institution by id or registration number (digits in any script): 404 outside
    the user's view scope, 403 when the user may not perform `action` on it."""
    if pk is not None:
        return access(Institution, user=user, action=action, pk=pk)
    number = clean_registration_number(registration_number)
    if not number:
        raise Http404
    return access(Institution, user=user, action=action, registration_number=number)


class _PagesPerInstitution(QuerySet):
    """Mixed into a queryset's own class by `pages_per_institution`: a slice of the
    queryset, ordered by its key, is read institution by institution."""

    _per_institution: tuple[str, QuerySet] | None = None

    def _clone(self):
        clone = super()._clone()  # type: ignore[misc]  # (private in the stubs)
        clone._per_institution = self._per_institution
        return clone

    def __getitem__(self, k):
        plan = self._per_institution
        key = self.model._meta.pk
        order = tuple(str(term) for term in self.query.order_by)
        keyed = order in (("pk",), ("-pk",), (key.name,), (f"-{key.name}",))
        if plan is None or not isinstance(k, slice) or k.stop is None or not keyed:
            return super().__getitem__(k)
        field, institutions = plan
        # The page's keys: each institution's first `stop` rows by the key, read backwards
        # (or forwards) on its `(institution, key)` index, then the first `stop` of them.
        # `scope_i` is the outer row of the lateral join below.
        per = self._clone()
        per._per_institution = None
        per = per.filter(**{f"{field}_id": RawSQL('"scope_i"."id"', ())}).values(key.attname)
        try:
            inner_sql, inner_params = per[: k.stop].query.sql_with_params()
        except EmptyResultSet:  # a condition nothing meets (a cursor past the key's range)
            nothing = self.none()
            nothing._per_institution = None
            return nothing[k]
        ids_sql, ids_params = institutions.values("pk").query.sql_with_params()
        # (The inner select names its column after `values()`'s name.)
        column = connections[self.db].ops.quote_name(key.attname)
        direction = "DESC" if order[0].startswith("-") else "ASC"
        keys = (
            f'SELECT "scope_t".{column} FROM unnest(ARRAY({ids_sql})) AS "scope_i"("id") '
            f'CROSS JOIN LATERAL ({inner_sql}) AS "scope_t" '
            f'ORDER BY "scope_t".{column} {direction} LIMIT %s'
        )
        page = self.filter(pk__in=RawSQL(keys, (*ids_params, *inner_params, k.stop)))
        page._per_institution = None
        return page[k]


@cache
def _per_institution_class(queryset_class: type) -> type:
    return type(
        f"PerInstitution{queryset_class.__name__}", (_PagesPerInstitution, queryset_class), {}
    )


def pages_per_institution(
    queryset: QuerySet, user, *, field: str = "institution", action: str = "view"
) -> QuerySet:
    """`queryset` (already scoped to `user`) whose pages by key are read one institution of
    the user's scope at a time, on PostgreSQL.

    Walking a whole table newest first for a station's rows passes every row of the other
    institutions in between: at 1M applications, 49,000 of them for a station officer's
    first page, and all of them when the station's institutions sent nothing lately. Read
    per institution on the `(institution, key)` index instead, a page costs at most its
    size per institution in scope, wherever their rows lie (3 ms of SQL instead of 43 for
    that page). For a police unit's few institutions, or several institutions' manager;
    unchanged for a nation-wide or a province reader (the walk finds their large share of
    rows soon), one institution's manager (its index is already in the page's order),
    another database, or a model scoped by anything but `field`'s institution.
    """
    if connections[queryset.db].vendor != "postgresql":
        return queryset
    found = scope_objects(user, queryset.model, action)
    if not found or (len(found) == 1 and found[0][0] == Scope.INSTITUTION):
        return queryset
    if any(scope == Scope.PROVINCE for scope, _path, _id in found):
        # A province holds dozens to hundreds of institutions and a large share of the
        # rows: reading a page's worth from each costs more than the walk finding them.
        return queryset
    condition = Q(pk__in=[])
    for scope, path, object_id in found:
        if path != institution_path(field, scope):
            return queryset
        condition |= Q(**{INSTITUTION_SCOPE_PATHS.get(scope, "pk"): object_id})
    clone = queryset._chain()  # type: ignore[attr-defined]
    clone.__class__ = _per_institution_class(type(queryset))
    # The institutions named by the user's own assignments for this model's action (not
    # `Institution.objects.visible_to`, which follows who may view institutions): they only
    # bound the read; every row still passes the queryset's scope condition.
    clone._per_institution = (field, Institution.objects.filter(condition))
    return clone
