"""Settling validated chunks against the database: PostgreSQL set-based, or the ORM."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from entezam.core.bulk import StagingTable, column_defaults, quote
from entezam.core.persian import (
    normalize,
)
from entezam.personnel.identity import IDENTITY_FIELDS, editable_ids, identity_mismatches
from entezam.personnel.models import KEEP_WHEN_EMPTY, PERSON_FIELDS, Employment, Person, search_key
from entezam.vetting.models import Application
from entezam.vetting.services import (
    HOLDING_STATUSES,
    applications_open_bulk,
    applications_open_from_sql,
)

from .choices import Mode
from .errors import RosterFileError, roster_error
from .report import MAX_REJECTED_ROWS
from .validation import NATIONAL_CODE, PERSON_SLICE, POSITION, ROW_NUMBER, ParsedRow, memo

CHUNK_SIZE = 5000


class ChunkWriter:
    """Settles one chunk of validated rows against the database with a fixed number of queries.

    `write(accepted, rejected)` takes the chunk's accepted rows (tuples, see `ROW_NUMBER`)
    and rejected rows (`ParsedRow`); accepted rows of people actively employed elsewhere
    are rejected here. Errors are reported in row order.
    """

    def __init__(self, actor, institution, mode, report, standards: dict[str, int], links):
        self.actor, self.institution, self.mode, self.report = actor, institution, mode, report
        self.standards = standards
        # `core.audit.LinkRecorder`: the people written, for the import's audit event.
        self.links = links

    @property
    def writing(self) -> bool:
        # Once an atomic import has a rejected row it will be rolled back: stop writing and
        # only keep checking, so the report still names every problem.
        if self.mode == Mode.DRY_RUN:
            return False
        return not (self.mode == Mode.ATOMIC and self.report.rejected)

    def _reject(self, rejected: list[ParsedRow]) -> None:
        rejected.sort(key=lambda parsed: parsed.row)
        for parsed in rejected:
            self.report.add_rejected_row(parsed.errors)
            if self.report.rejected > MAX_REJECTED_ROWS:
                raise RosterFileError("too_many_rejected", row=0, limit=MAX_REJECTED_ROWS)

    @staticmethod
    def _conflict(row: tuple) -> ParsedRow:
        number = row[ROW_NUMBER]
        error = roster_error(number, "national_code", "employed_elsewhere")
        return ParsedRow(number, {}, [error])

    @staticmethod
    def _mismatch(row: tuple, fields: list[str]) -> ParsedRow:
        """A registered person whose identity the row contradicts: one error per field."""
        number = row[ROW_NUMBER]
        return ParsedRow(
            number, {}, [roster_error(number, field, "identity_mismatch") for field in fields]
        )

    @staticmethod
    def _row_identity(row: tuple) -> dict:
        return dict(zip(PERSON_FIELDS, row[PERSON_SLICE], strict=True))

    def close(self) -> None:
        return None


class OrmChunkWriter(ChunkWriter):
    """Any database: the ORM's bulk operations."""

    def write(self, accepted: list[tuple], rejected: list[ParsedRow]) -> None:
        existing = (
            {
                person.national_code: person
                for person in Person.objects.filter(
                    national_code__in=[row[NATIONAL_CODE] for row in accepted]
                ).only("id", "national_code", *PERSON_FIELDS)
            }
            if accepted
            else {}
        )
        busy = set(
            Employment.objects.filter(
                person_id__in=[person.pk for person in existing.values()], end_date__isnull=True
            )
            .exclude(institution=self.institution)
            .values_list("person_id", flat=True)
            if existing
            else ()
        )
        # Registered people the importer may not edit are linked only if the row matches
        # their identity, and nothing of them is changed (`personnel.identity`).
        editable = editable_ids(self.actor, [person.pk for person in existing.values()])
        settled: list[tuple[tuple, Person | None]] = []
        for row in accepted:
            person = existing.get(row[NATIONAL_CODE])
            if person is not None and person.pk in busy:
                rejected.append(self._conflict(row))
                continue
            if person is not None and person.pk not in editable:
                stored = {name: getattr(person, name) for name in IDENTITY_FIELDS}
                mismatched = identity_mismatches(stored, self._row_identity(row))
                if mismatched:
                    rejected.append(self._mismatch(row, mismatched))
                    continue
            settled.append((row, person))
        self._reject(rejected)
        writing = self.writing
        if not settled or not (writing or self.mode == Mode.DRY_RUN):
            return

        now = timezone.now()
        to_create: list[Person] = []
        to_update: list[Person] = []
        changed: set[str] = set()
        for row, person in settled:
            values = dict(zip(PERSON_FIELDS, row[PERSON_SLICE], strict=True))
            if person is None:
                person = Person(national_code=row[NATIONAL_CODE], **values)
                person.search_name = search_key(person.first_name, person.last_name)
                to_create.append(person)
                continue
            if person.pk not in editable:
                continue  # linked, not changed
            differs = False
            for name, value in values.items():
                if value == "" and name in KEEP_WHEN_EMPTY:
                    continue
                if getattr(person, name) != value:
                    setattr(person, name, value)
                    differs = True
            if differs:
                person.search_name = search_key(person.first_name, person.last_name)
                person.updated_at = now
                to_update.append(person)
                changed.add(person.national_code)

        if writing:
            Person.objects.bulk_create(to_create, batch_size=CHUNK_SIZE)
            if to_update:
                Person.objects.bulk_update(
                    to_update, [*PERSON_FIELDS, "search_name", "updated_at"], batch_size=500
                )
            created_by_code = {person.national_code: person for person in to_create}
            opened = applications_open_bulk(
                actor=self.actor,
                institution=self.institution,
                items=[
                    ((person or created_by_code[row[NATIONAL_CODE]]).pk, row[POSITION])
                    for row, person in settled
                ],
            )
            new_applications = {pk for pk, state in opened.items() if state == "opened"}
            self.links.add(Person, sorted(opened))
        else:
            known = [person.pk for _row, person in settled if person is not None]
            holding = set(
                Application.objects.filter(
                    institution=self.institution,
                    person_id__in=known,
                    status__in=HOLDING_STATUSES,
                ).values_list("person_id", flat=True)
            )
            new_applications = set(known) - holding

        for row, person in settled:
            if person is None:
                self.report.created += 1
            elif row[NATIONAL_CODE] in changed or person.pk in new_applications:
                self.report.updated += 1
            else:
                self.report.unchanged += 1


def _person_column(name: str) -> str:
    return quote(Person._meta.get_field(name).column)


class PostgresChunkWriter(ChunkWriter):
    """PostgreSQL: COPY the chunk into a staging table, then settle it set-based.

    Per chunk: COPY; one statement finding the people already registered; one query for
    conflicts (their rows leave the stage); then either one counting query (dry run) or an
    UPDATE of the people whose data changed, an INSERT of the new people and one statement
    opening the applications and their first steps.

    The import is one long transaction in which the tables grow, so their statistics are
    stale: every lookup into a real table is written as a correlated scalar subquery, which
    PostgreSQL runs as one index probe per staged row, never as a join it might plan as a
    scan of the whole (growing) table.
    """

    STAGE_COLUMNS = (
        ("row_no", "integer"),
        ("national_code", "varchar(10)"),
        ("first_name", "text"),
        ("last_name", "text"),
        ("father_name", "text"),
        ("birth_date", "date"),
        ("gender", "text"),
        ("mobile", "text"),
        ("education", "text"),
        ("military_service", "text"),
        ("position", "text"),
        ("search_name", "text"),
        ("person_id", "bigint"),
        # The importer may edit this registered person (else the row only links them).
        ("may_update", "boolean"),
    )

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.stage = StagingTable("roster_stage", self.STAGE_COLUMNS)
        self.search_key = memo(normalize)
        stage, people = quote(self.stage.name), quote(Person._meta.db_table)
        code, pk = _person_column("national_code"), _person_column("id")
        differs = " OR ".join(
            f"(s.{name} <> '' AND s.{name} <> p.{_person_column(name)})"
            if name in KEEP_WHEN_EMPTY
            else f"s.{name} <> p.{_person_column(name)}"
            for name in PERSON_FIELDS
        )
        self.sql_people = f"""
            WITH found AS (
                UPDATE {stage} s SET person_id = (
                    SELECT p.{pk} FROM {people} p WHERE p.{code} = s.national_code
                )
                RETURNING s.person_id
            )
            SELECT count(person_id) FROM found
        """
        employment = Employment._meta
        self.sql_busy = f"""
            SELECT s.row_no FROM {stage} s
            WHERE s.person_id IS NOT NULL AND (
                SELECT 1 FROM {quote(employment.db_table)} e
                WHERE e.{quote(employment.get_field("person").column)} = s.person_id
                    AND e.{quote(employment.get_field("end_date").column)} IS NULL
                    AND e.{quote(employment.get_field("institution").column)} <> %s
                LIMIT 1
            ) IS NOT NULL
        """
        self.sql_unbusy = f"DELETE FROM {stage} WHERE row_no = ANY(%s)"
        self.sql_known = f"SELECT row_no, person_id FROM {stage} WHERE person_id IS NOT NULL"
        self.sql_written = f"SELECT person_id FROM {stage} ORDER BY row_no"
        self.sql_may_update = f"UPDATE {stage} SET may_update = true WHERE row_no = ANY(%s)"
        application = Application._meta
        self.sql_count = f"""
            SELECT count(*) FILTER (WHERE s.person_id IS NULL),
                count(*) FILTER (WHERE s.person_id IS NOT NULL AND ((s.may_update AND ({differs}))
                    OR (
                    SELECT 1 FROM {quote(application.db_table)} a
                    WHERE a.{quote(application.get_field("person").column)} = s.person_id
                        AND a.{quote(application.get_field("institution").column)} = %s
                        AND a.{quote(application.get_field("status").column)} = ANY(%s)
                    LIMIT 1
                ) IS NULL))
            FROM {stage} s LEFT JOIN {people} p ON p.{pk} = s.person_id
        """
        assignments = ", ".join(
            f"{_person_column(name)} = CASE WHEN s.{name} = '' THEN p.{_person_column(name)} "
            f"ELSE s.{name} END"
            if name in KEEP_WHEN_EMPTY
            else f"{_person_column(name)} = s.{name}"
            for name in PERSON_FIELDS
        )
        self.sql_update = f"""
            UPDATE {people} p SET {assignments}, {_person_column("search_name")} = s.search_name,
                {_person_column("updated_at")} = %s
            FROM {stage} s
            WHERE s.person_id IS NOT NULL AND s.may_update AND p.{pk} = s.person_id
                AND ({differs})
            RETURNING p.{pk}
        """
        given = ["national_code", *PERSON_FIELDS, "search_name"]
        self.person_columns = [Person._meta.get_field(name).column for name in given]
        # New people, and their ids written back to the stage for the applications.
        self.sql_insert_template = (
            f"WITH created AS (INSERT INTO {people} ({{columns}}) "
            f"SELECT {', '.join(f's.{name}' for name in given)}{{defaults}} FROM {stage} s "
            f"WHERE s.person_id IS NULL ORDER BY s.row_no RETURNING {pk}, {code}) "
            f"UPDATE {stage} s SET person_id = created.{pk} FROM created "
            f"WHERE created.{code} = s.national_code RETURNING created.{pk}"
        )
        self.sql_applications_source = f"SELECT s.person_id, s.position, s.row_no FROM {stage} s"

    def _staged(self, accepted: list[tuple]):
        search_key = self.search_key
        for row in accepted:
            yield (*row, search_key(f"{row[2]} {row[3]}"), None, False)

    def write(self, accepted: list[tuple], rejected: list[ParsedRow]) -> None:
        if not accepted:
            self._reject(rejected)
            return
        with connection.cursor() as cursor:
            self.stage.load(cursor, self._staged(accepted))
            cursor.execute(self.sql_people)
            (known,) = cursor.fetchone()
            busy = []
            if known:
                cursor.execute(self.sql_busy, [self.institution.pk])
                busy = [number for (number,) in cursor.fetchall()]
            if busy:
                cursor.execute(self.sql_unbusy, [busy])
                busy_rows = set(busy)
                rejected.extend(self._conflict(row) for row in accepted if row[0] in busy_rows)
            mismatched = self._settle_identities(cursor, accepted) if known - len(busy) else []
            self._reject(rejected + mismatched)
            count = len(accepted) - len(busy) - len(mismatched)
            known -= len(mismatched)
            if not count:
                return
            if self.mode == Mode.DRY_RUN:
                cursor.execute(self.sql_count, [self.institution.pk, list(HOLDING_STATUSES)])
                created, updated = cursor.fetchone()
                self.report.created += created
                self.report.updated += updated
                self.report.unchanged += count - created - updated
                return
            if not self.writing:
                return
            self._write(cursor, count, known - len(busy))

    def _settle_identities(self, cursor, accepted: list[tuple]) -> list[ParsedRow]:
        """Registered people: mark the rows whose person the importer may edit; a row whose
        person they may not edit must match that person's identity, else it is rejected
        (and leaves the stage). Two queries into the real tables, by primary key."""
        cursor.execute(self.sql_known)
        person_of = dict(cursor.fetchall())
        editable = editable_ids(self.actor, person_of.values())
        locked = {row_no: pid for row_no, pid in person_of.items() if pid not in editable}
        stored = {
            row["id"]: row
            for row in Person.objects.filter(pk__in=set(locked.values())).values(
                "id", *IDENTITY_FIELDS
            )
        }
        rows = {row[ROW_NUMBER]: row for row in accepted}
        rejected = []
        for row_no, person_id in sorted(locked.items()):
            mismatched = identity_mismatches(stored[person_id], self._row_identity(rows[row_no]))
            if mismatched:
                rejected.append(self._mismatch(rows[row_no], mismatched))
        if rejected:
            cursor.execute(self.sql_unbusy, [[parsed.row for parsed in rejected]])
        may_update = [row_no for row_no, pid in person_of.items() if pid in editable]
        if may_update:
            cursor.execute(self.sql_may_update, [may_update])
        return rejected

    def _write(self, cursor, count: int, known: int) -> None:

        now = timezone.now()
        changed: set[int] = set()
        if known:
            cursor.execute(self.sql_update, [now])
            changed = {person_id for (person_id,) in cursor.fetchall()}
        created: set[int] = set()
        if known < count:
            columns, values = column_defaults(Person, self.person_columns, now)
            cursor.execute(
                self.sql_insert_template.format(
                    columns=", ".join(map(quote, [*self.person_columns, *columns])),
                    defaults="".join(", %s" for _ in values),
                ),
                values,
            )
            created = {person_id for (person_id,) in cursor.fetchall()}
        opened = applications_open_from_sql(
            actor=self.actor,
            institution=self.institution,
            source_sql=self.sql_applications_source,
            source_params=[],
            standards=self.standards,
            now=now,
        )
        updated = len((changed | set(opened)) - created)
        cursor.execute(self.sql_written)
        self.links.add(Person, [person_id for (person_id,) in cursor.fetchall()])
        self.report.created += len(created)
        self.report.updated += updated
        self.report.unchanged += count - len(created) - updated

    def close(self) -> None:
        with connection.cursor() as cursor:
            self.stage.drop(cursor)
