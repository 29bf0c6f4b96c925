"""Keeping `PersonReach` right: the services that link a person to an institution call
`reach_link` (one pair), `reach_link_many` (a batch) or `reach_insert_sql` (rows an
INSERT … SELECT produces, on PostgreSQL) in the same transaction; `reach_rebuild` recomputes the
table from every registered reach source (`core.registry.register_person_reach`).

Reach counts past links too (a former employee stays visible to the institution that
employed them), so links are only added; a row goes only with its person or institution.

Each row carries its institution's province and supervising unit (`SCOPE_COLUMNS`), so a
scoped list probes one index per person; when an institution moves, the institutions'
update service calls `reach_institution_moved` in its transaction. Links and moves of
the same institution are serialised by a PostgreSQL advisory lock per institution, shared
by links, exclusive for a move, held to the end of the transaction (`lock_links`): a move
waits for the links in progress and then corrects their rows too, and a link waits for a
move in progress and then reads the new scope. Ordinary edits of the institution take no
such lock, so a long roster import never holds up a change of its phone number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from entezam.core.bulk import quote
from entezam.core.registry import PERSON_REACH, ReachSource
from entezam.institutions.models import Institution

from .models import PersonReach


def source_of(model) -> str:
    return model._meta.label_lower


# The institution's fields copied onto each of its reach rows (same names on both models).
SCOPE_COLUMNS = ("province_id", "supervising_unit_id")


# The advisory locks' first key (`pg_advisory_xact_lock(int, int)`): links and moves of
# one institution; the second key is the institution's id.
LINK_LOCK_NAMESPACE = 1_404_101


def lock_links(institution_ids: Iterable[int], *, move: bool = False) -> None:
    """Hold the institutions' link lock to the end of the transaction (PostgreSQL): shared
    by links, exclusive for a move; taken in id order, so two batches never deadlock."""
    ids = sorted(set(institution_ids))
    if not ids or connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if move else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {function}(%s, ids.id) FROM (SELECT unnest(%s::int[]) AS id ORDER BY 1) ids",
            [LINK_LOCK_NAMESPACE, ids],
        )


def locked_scopes(institution_ids: Iterable[int]) -> dict[int, tuple]:
    """The institutions' current scope columns, read after taking their link lock (so a
    move in progress has committed, and a move starting now waits for this transaction)."""
    ids = sorted(set(institution_ids))
    if not ids:
        return {}
    lock_links(ids)
    rows = Institution.objects.filter(pk__in=ids).values_list("pk", *SCOPE_COLUMNS)
    return {pk: tuple(rest) for pk, *rest in rows}


def reach_link(*, person_id: int, institution: Institution, source: str) -> None:
    # The scope is read again under the lock: the instance may predate a move.
    _insert([(person_id, institution.pk)], source, locked_scopes([institution.pk]))


def reach_link_many(pairs: Iterable[tuple[int, int]], *, source: str) -> None:
    """Link each (person_id, institution_id) pair: one read of the institutions' scopes."""
    pairs = set(pairs)
    _insert(pairs, source, locked_scopes(institution_id for _person_id, institution_id in pairs))


def _insert(pairs: Iterable[tuple[int, int]], source: str, scopes: dict[int, tuple]) -> None:
    rows = [
        PersonReach(
            person_id=person_id,
            institution_id=institution_id,
            source=source,
            **dict(zip(SCOPE_COLUMNS, scopes[institution_id], strict=True)),
        )
        for person_id, institution_id in pairs
    ]
    if rows:
        PersonReach.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)


def reach_insert_sql(*, pairs_sql: str, source_param: str, now_param: str) -> str:
    """An `INSERT … SELECT` (PostgreSQL) adding the reach of the (person_id, institution_id)
    rows `pairs_sql` selects; for use inside a larger statement (a CTE). The caller takes
    the institutions' `lock_links` first, in the same transaction."""
    table = quote(PersonReach._meta.db_table)
    institutions = quote(Institution._meta.db_table)
    scope_columns = ", ".join(quote(c) for c in SCOPE_COLUMNS)
    scope_values = ", ".join(f"inst.{quote(c)}" for c in SCOPE_COLUMNS)
    return (
        f"INSERT INTO {table} (person_id, institution_id, {scope_columns}, source, created_at) "
        f"SELECT pairs.person_id, pairs.institution_id, {scope_values}, {source_param}, "
        f"{now_param} FROM ({pairs_sql}) AS pairs "
        f"JOIN {institutions} AS inst ON inst.id = pairs.institution_id ON CONFLICT DO NOTHING"
    )


def reach_institution_moved(institution: Institution) -> int:
    """Give the institution's reach rows its current province and supervising unit (its
    update service calls this in its transaction); returns the rows changed."""
    lock_links([institution.pk], move=True)  # the links in progress commit first
    current = {c: getattr(institution, c) for c in SCOPE_COLUMNS}
    stale = Q()
    for column, value in current.items():
        stale |= ~Q(**{column: value})
    return PersonReach.objects.filter(stale, institution_id=institution.pk).update(**current)


def _scopes_stale() -> int:
    """Correct reach rows whose scope columns differ from their institution's."""
    institution = Institution.objects.filter(pk=OuterRef("institution_id"))
    values = {c: Subquery(institution.values(c)[:1]) for c in SCOPE_COLUMNS}
    stale = Q()
    for column in SCOPE_COLUMNS:
        stale |= ~Q(**{column: Subquery(institution.values(column)[:1])})
    return PersonReach.objects.filter(stale).update(**values)


def _source_rows(source: ReachSource):
    model = apps.get_model(source.model)
    return (
        model._default_manager.order_by()
        .values_list(f"{source.person_field}_id", f"{source.institution_field}_id")
        .distinct()
    )


@transaction.atomic
def reach_rebuild(progress: Callable[[str, int, int | None], None] | None = None) -> dict:
    """Recompute the reach table from the registered sources; returns rows added and removed."""
    added = removed = 0
    now = timezone.now()
    for name, source in sorted(PERSON_REACH.items()):
        label = source.model.lower()
        model = apps.get_model(source.model)
        if connection.vendor == "postgresql":
            table = quote(model._meta.db_table)
            person = quote(model._meta.get_field(source.person_field).column)
            institution = quote(model._meta.get_field(source.institution_field).column)
            with connection.cursor() as cursor:
                cursor.execute(
                    reach_insert_sql(
                        pairs_sql=f"SELECT DISTINCT {person} AS person_id, "
                        f"{institution} AS institution_id FROM {table}",
                        source_param="%s",
                        now_param="%s",
                    ),
                    [label, now],
                )
                added += cursor.rowcount
        else:
            before = PersonReach.objects.filter(source=label).count()
            reach_link_many(_source_rows(source), source=label)
            added += PersonReach.objects.filter(source=label).count() - before
        stale = PersonReach.objects.filter(source=label).exclude(_exists_in(source, model))
        removed += stale.delete()[0]
        if progress is not None:
            progress(name, 1, 1)
    known = [source.model.lower() for source in PERSON_REACH.values()]
    removed += PersonReach.objects.exclude(source__in=known).delete()[0]
    return {"added": added, "removed": removed, "rescoped": _scopes_stale()}


def _exists_in(source: ReachSource, model) -> Exists:
    return Exists(
        model._default_manager.filter(
            **{
                f"{source.person_field}_id": OuterRef("person_id"),
                f"{source.institution_field}_id": OuterRef("institution_id"),
            }
        )
    )
