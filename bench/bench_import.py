"""Roster import benchmark: our validated import vs a raw COPY and vs per-row ORM save().

    .venv/bin/python bench/bench_import.py --rows 100000 --memory-sizes 100000,1000000
    .venv/bin/python bench/bench_import.py --rows 100000 --memory-kinds xlsx   # XLSX memory only
    .venv/bin/python bench/bench_import.py --rows 1000 --memory-sizes 1000,2000 \
        --existing 5000                                                            # smoke

Runs against a throwaway PostgreSQL database (ENTEZAM_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/entezam_bench_import), recreated from the
`entezam_test_template` template when that exists. Prints a table of times and ratios;
never fails (exit status 0), so CI can smoke-run it.

The roster is realistic (`realistic_rows`): names from the project's corpus with Arabic
Yeh/Kaf and zero-width-non-joiner variants, birth dates over 45 Jalali years in both digit
scripts, varied labels. The same file is also imported into a table that already holds
`--existing` people (1,000,000 by default): a database filled once with COPY
(`<name>_<existing>`, reused while it holds them) and copied for each run
(`CREATE DATABASE … TEMPLATE`), so the unique and trigram indexes and the national-code
look-ups are those of a national register. Both imports are printed as ratios against the
same write floor and the same COPY, measured in the same run.

Targets (DESIGN.md): import ≤ 3× COPY of the same file; ≥ 20× faster than per-row ORM
save(); peak memory flat as the file grows (each size measured in a fresh process).

A third reference is the write floor: the rows the import wrote, inserted again from a
table that already holds them typed, with no Python and no validation. It is what these
rows cost PostgreSQL to store with their indexes and foreign-key checks, so it bounds any
importer from below; the import is printed against it too.

Four per-row references are timed, each on a sample and extrapolated: `Person.save()`
alone, and the same work the import does per row (a person, an application through
`Application.objects.create`, and its first step), each with a commit per row and in one
transaction (as an all-or-nothing import would run). The speed-up target is read against
the faster of the same-work pair; `Person.save()` alone is printed too, as the stricter
comparison.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The test factories (`tests.*`) build the benchmarks' data.
sys.path.insert(0, str(PROJECT_ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/entezam_bench_import"
TEMPLATE = "entezam_test_template"
REGISTRATION_NUMBER = "99001"


def database_url() -> str:
    return os.environ.get("ENTEZAM_BENCH_DATABASE_URL", DEFAULT_URL)


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        has_template = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE]
        ).fetchone()
        template = f' TEMPLATE "{TEMPLATE}"' if has_template else ""
        connection.execute(f"CREATE DATABASE \"{name}\"{template} ENCODING 'UTF8'")


def setup_django(url: str) -> None:
    os.environ["ENTEZAM_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entezam.config.settings")
    os.environ.setdefault("ENTEZAM_VAR_DIR", tempfile.mkdtemp(prefix="entezam-bench-"))
    import django

    django.setup()


def prepare() -> None:
    from django.core.management import call_command

    from entezam.institutions.models import Institution
    from tests.institutions.factories import InstitutionFactory
    from tests.roster.files import active_standards

    call_command("migrate", verbosity=0)
    if not Institution.objects.filter(registration_number=REGISTRATION_NUMBER).exists():
        InstitutionFactory(registration_number=REGISTRATION_NUMBER)
    active_standards()


def clear_people() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE personnel_person CASCADE")


# What rosters hold, in the labels institutions write (weights in percent).
EDUCATION_LABELS = [
    ("زیر دیپلم", 12),
    ("سیکل", 2),
    ("دیپلم", 50),
    ("فوق دیپلم", 4),
    ("کاردانی", 12),
    ("کارشناسی", 11),
    ("لیسانس", 4),
    ("کارشناسی ارشد", 4),
    ("دکتری", 1),
]
SERVICE_LABELS = [("پایان خدمت", 70), ("کارت پایان خدمت", 10), ("معاف", 15), ("معافیت", 5)]
POSITION_LABELS = [("نگهبان", 80), ("پلیس‌یار", 10), ("سرپرست", 7), ("سرپرست شیفت", 2), ("مدیر", 1)]
MOBILE_PREFIXES = ["0912", "0935", "0936", "0937", "0915", "0917", "0919", "0990", "0901", "0921"]
ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def weighted(rng, pairs):
    return rng.choices([value for value, _w in pairs], weights=[w for _v, w in pairs])[0]


def realistic_rows(count: int, seed: int = 1404):
    """`count` valid roster rows with the variety of real files: Persian first and last names
    from the project's corpus (`core.demo_data`), one in ten typed with the Arabic Yeh and
    Kaf, compound names with a zero-width non-joiner, a space or neither; birth dates over
    45 Jalali years in Persian or ASCII digits, `/` or `-`, padded or not; varied mobiles,
    education, military service and position labels. National codes are unique and never
    those of the people already in the table (`fill_people`)."""
    import random

    from entezam.core.demo_data import names
    from entezam.core.persian.jalali import days_in_month
    from tests.roster.files import national_code

    rng = random.Random(seed)
    data = names()
    male, female, last = data["male_first_names"], data["female_first_names"], data["last_names"]
    for index in range(count):
        woman = rng.random() < 0.08
        first, surname, father = (
            rng.choice(female if woman else male),
            rng.choice(last),
            rng.choice(male),
        )
        if "\u200c" in surname and rng.random() < 0.3:  # «حسین‌زاده», «حسین زاده», «حسینزاده»
            surname = surname.replace("\u200c", rng.choice([" ", ""]))
        if rng.random() < 0.1:  # typed on an Arabic keyboard layout
            first, surname, father = (n.translate(ARABIC_LETTERS) for n in (first, surname, father))
        year = rng.randint(1340, 1384)
        month = rng.randint(1, 12)
        day = rng.randint(1, days_in_month(year, month))
        separator = "/" if rng.random() < 0.85 else "-"
        born = (
            f"{year}{separator}{month:02d}{separator}{day:02d}"
            if rng.random() < 0.8
            else f"{year}{separator}{month}{separator}{day}"
        )
        mobile = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
        if rng.random() < 0.4:
            born = born.translate(PERSIAN_DIGITS)
        if rng.random() < 0.2:
            mobile = mobile.translate(PERSIAN_DIGITS)
        yield [
            national_code(index),
            first,
            surname,
            father,
            born,
            "زن" if woman else rng.choice(["مرد", "مرد", "مرد", "آقا"]),
            mobile,
            weighted(rng, EDUCATION_LABELS),
            "" if woman else weighted(rng, SERVICE_LABELS),
            weighted(rng, POSITION_LABELS),
        ]


ROSTER = "realistic"  # --roster uniform: the tests' roster (ten first names, nine surnames)


def roster(rows: int):
    from tests.roster.files import roster_rows

    return roster_rows(rows) if ROSTER == "uniform" else realistic_rows(rows)


def write_roster(path: Path, rows: int) -> Path:
    from tests.roster.files import write_csv

    return write_csv(path, roster(rows))


def run_import(path: Path, mode: str = "atomic"):
    from entezam.accounts.seed import system_actor
    from entezam.institutions.models import Institution
    from entezam.roster.services import roster_import

    institution = Institution.objects.get(registration_number=REGISTRATION_NUMBER)
    actor = system_actor()
    started = time.perf_counter()
    report = roster_import(actor=actor, institution=institution, path=path, mode=mode)
    return time.perf_counter() - started, report


def write_rejected(path: Path, rows: int) -> Path:
    """A file of rows that are all rejected (`x,,,,,,,,,`): every problem is reported."""
    from tests.roster.files import HEADER_FA

    with open(path, "w", encoding="utf-8", newline="") as stream:
        stream.write(",".join(HEADER_FA) + "\n")
        for _ in range(rows):
            stream.write("x,,,,,,,,,\n")
    return path


def time_copy(path: Path) -> float:
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_raw_roster (" + ", ".join(f"c{i} text" for i in range(10)) + ")"
            )
        raw = connection.connection
        started = time.perf_counter()
        with (
            raw.cursor() as cursor,
            open(path, "rb") as stream,
            cursor.copy("COPY bench_raw_roster FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while block := stream.read(1024 * 1024):
                copy.write(block)
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_raw_roster")
    return elapsed


def time_write_floor() -> dict[str, float]:
    """Seconds to write the rows the import just wrote, already typed, with no Python at all.

    The people, applications and steps the import created are copied aside, their tables
    emptied, and the same rows inserted back with `INSERT … SELECT` and committed: index
    maintenance (the trigram GIN included), constraints and foreign-key checks, which any
    implementation writing these rows pays. No importer can be faster than this.

    Returns the seconds per step: each table's INSERT, the commit (where PostgreSQL runs
    the deferred foreign-key checks), and their `total`.
    """
    from django.db import connection, transaction

    from entezam.personnel.models import Person
    from entezam.vetting.models import Application, ApplicationStep

    tables = [model._meta.db_table for model in (Person, Application, ApplicationStep)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'CREATE TABLE "floor_{table}" AS SELECT * FROM "{table}"')
        cursor.execute("TRUNCATE personnel_person CASCADE")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table in tables:
                began = time.perf_counter()
                cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "floor_{table}"')
                seconds[table] = time.perf_counter() - began
        committing = time.perf_counter()
    seconds["commit (deferred foreign-key checks)"] = time.perf_counter() - committing
    seconds["total"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'DROP TABLE "floor_{table}"')
    clear_people()
    return seconds


def time_orm_save(
    path: Path, sample: int, applications: bool = False, one_transaction: bool = False
) -> tuple[float, int]:
    """Seconds to save `sample` people one by one with Model.save(), each in autocommit.

    With `applications`, each person also gets what the import gives them: an application
    (`Application.objects.create`) and its first step (`ApplicationStep.objects.create`).
    With `one_transaction`, all the rows are saved in one transaction (as an all-or-nothing
    import would be), its commit included.
    """
    import contextlib
    import csv
    import itertools

    from django.db import transaction

    from entezam.accounts.seed import system_actor
    from entezam.institutions.models import Institution

    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        rows = list(itertools.islice(reader, sample))
    institution = Institution.objects.get(registration_number=REGISTRATION_NUMBER)
    actor = system_actor()
    standards = {}
    started = time.perf_counter()
    scope = transaction.atomic() if one_transaction else contextlib.nullcontext()
    with scope:
        _save_rows(rows, institution, actor, standards, applications)
    elapsed = time.perf_counter() - started
    clear_people()
    return elapsed, len(rows)


def _save_rows(rows, institution, actor, standards, applications) -> None:
    from entezam.personnel.models import Person
    from entezam.roster.columns import CHOICE_KEYS
    from entezam.roster.columns import fold_key as _key
    from entezam.roster.validation import parse_birth_date
    from entezam.vetting.models import Application, ApplicationStep
    from entezam.vetting.services import active_standard_for

    for row in rows:
        person = Person(
            national_code=row[0],
            first_name=row[1],
            last_name=row[2],
            father_name=row[3],
            birth_date=parse_birth_date(row[4]),
            gender=CHOICE_KEYS["gender"][_key(row[5])],
            mobile=row[6],
            education=CHOICE_KEYS["education"][_key(row[7])],
            military_service=CHOICE_KEYS["military_service"].get(_key(row[8]), ""),
        )
        person.save()
        if applications:
            position = CHOICE_KEYS["position"][_key(row[9])]
            if position not in standards:
                standards[position] = active_standard_for(position)
            application = Application.objects.create(
                person=person,
                institution=institution,
                position=position,
                standard=standards[position],
            )
            ApplicationStep.objects.create(
                application=application, to_status="submitted", actor=actor
            )


def existing_urls(url: str, existing: int) -> tuple[str, str]:
    """(the database that keeps `existing` people between runs, this run's copy of it)."""
    parts = urlparse(url)
    base = f"{parts.path.lstrip('/')}_{existing}"
    return (
        parts._replace(path=f"/{base}").geturl(),
        parts._replace(path=f"/{base}_run").geturl(),
    )


def held_people(url: str) -> int | None:
    """People in the database at `url` once it is built (its institution exists), or None."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as connection:
            row = connection.execute(
                "SELECT (SELECT count(*) FROM personnel_person), (SELECT count(*) FROM "
                "institutions_institution WHERE registration_number = %s)",
                [REGISTRATION_NUMBER],
            ).fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row and row[1] else None


def fill_people(count: int) -> None:
    """`count` people with COPY, the trigram index built after the load, then VACUUM ANALYZE.

    National codes are `national_code_from(900_000_000 + i)`, apart from the roster's
    (`tests.roster.files.national_code` stays below 900,000,000); names and dates are drawn
    from the corpus as in `realistic_rows`.
    """
    import random

    from django.db import connection

    from entezam.core.demo_data import names
    from entezam.core.persian.validators import national_code_from
    from entezam.personnel.models import Person, search_key

    rng = random.Random(count)
    data = names()
    male, female, last = data["male_first_names"], data["female_first_names"], data["last_names"]
    keys: dict[tuple[str, str], str] = {}
    table = Person._meta.db_table
    columns = [
        "created_at",
        "updated_at",
        "national_code",
        "first_name",
        "last_name",
        "father_name",
        "birth_date",
        "gender",
        "mobile",
        "education",
        "military_service",
        "photo",
        "address",
        "search_name",
    ]
    educations = ["below_diploma", "diploma", "diploma", "diploma", "associate", "bachelor"]
    start = datetime.date(1961, 3, 21).toordinal()
    days = datetime.date(2006, 3, 20).toordinal() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS person_search_trgm")
        now = "2025-01-01 00:00:00+00"
        with (
            cursor.connection.cursor() as pg,
            pg.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for index in range(count):
                woman = rng.random() < 0.08
                first, surname = rng.choice(female if woman else male), rng.choice(last)
                key = keys.get((first, surname))
                if key is None:
                    key = keys[(first, surname)] = search_key(first, surname)
                copy.write_row(
                    (
                        now,
                        now,
                        national_code_from(900_000_000 + index),
                        first,
                        surname,
                        rng.choice(male),
                        datetime.date.fromordinal(start + rng.randrange(days)),
                        "female" if woman else "male",
                        f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}",
                        rng.choice(educations),
                        "" if woman else "completed",
                        "",
                        "",
                        key,
                    )
                )
        cursor.execute(
            f"CREATE INDEX person_search_trgm ON {table} USING gin (search_name gin_trgm_ops)"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def build_child(existing: int) -> None:
    """In a fresh process on the kept database: schema, institution, standards, people."""
    setup_django(existing_urls(database_url(), existing)[0])
    started = time.perf_counter()
    prepare()
    clear_people()
    fill_people(existing)
    print(json.dumps({"built_seconds": time.perf_counter() - started}))


def import_child(existing: int, path: str) -> None:
    """In a fresh process on this run's copy of the kept database: import the roster."""
    setup_django(existing_urls(database_url(), existing)[1])
    from entezam.personnel.models import Person

    before = Person.objects.count()
    seconds, report = run_import(Path(path))
    print(
        json.dumps(
            {
                "people_before": before,
                "seconds": seconds,
                "created": report.created,
                "rejected": report.rejected,
                "outcome": str(report.outcome),
            }
        )
    )


def child(*arguments: str) -> dict | str:
    """Run this script with `arguments` in a fresh process; its JSON line, or its error."""
    output = subprocess.run(
        [sys.executable, __file__, *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, "ENTEZAM_BENCH_DATABASE_URL": database_url()},
    )
    lines = [line for line in output.stdout.splitlines() if line.startswith("{")]
    if output.returncode != 0 or not lines:
        return (output.stderr or output.stdout)[-2000:]
    return json.loads(lines[-1])


def import_into_existing(existing: int, path: Path) -> dict | str:
    """Import the roster into a copy of a database that already holds `existing` people.

    The kept database is built once (COPY) and reused while it holds them; each run
    imports into a fresh copy of it (`CREATE DATABASE … TEMPLATE`), dropped afterwards.
    """
    import psycopg

    base, run = existing_urls(database_url(), existing)
    built = None
    if held_people(base) != existing:
        recreate_database(base)
        result = child("--build-existing", str(existing))
        if isinstance(result, str):
            return f"building {existing:,} people failed: {result}"
        built = result["built_seconds"]
    admin = urlparse(base)._replace(path="/postgres").geturl()
    base_name, run_name = (urlparse(u).path.lstrip("/") for u in (base, run))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{run_name}" WITH (FORCE)')
        connection.execute(
            f'CREATE DATABASE "{run_name}" TEMPLATE "{base_name}" STRATEGY FILE_COPY'
        )
    try:
        result = child("--import-existing", str(existing), "--workdir", str(path))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{run_name}" WITH (FORCE)')
    if isinstance(result, str):
        return f"importing into {existing:,} people failed: {result}"
    return {**result, "built_seconds": built}


def memory_child(rows: int, directory: str, kind: str) -> None:
    """In a fresh process: import `rows` rows from a `kind` file and print peak RSS (MB)."""
    setup_django(database_url())
    clear_people()
    from entezam.roster import reading as roster
    from tests.roster.files import write_xlsx

    mode = "atomic"
    if kind == "xlsx":
        path = write_xlsx(Path(directory) / f"memory-{rows}.xlsx", roster(rows))
    elif kind.startswith("rejected"):
        # A dry run of a file where every row is rejected; `rejected` lifts the limit on
        # rejected rows, so all of them go through the report (`rejected-limit` keeps it).
        from entezam.roster import writers

        path = write_rejected(Path(directory) / f"memory-{rows}-rejected.csv", rows)
        mode = "dry_run"
        if kind == "rejected":
            writers.MAX_REJECTED_ROWS = 10**12
    else:
        path = write_roster(Path(directory) / f"memory-{rows}.csv", rows)
    # A million rows is ~106 MB of CSV, above the upload limit: lift the limits for this
    # measurement (the XLSX limit on the unpacked size too).
    roster.MAX_FILE_BYTES = max(roster.MAX_FILE_BYTES, path.stat().st_size)
    roster.MAX_XLSX_UNCOMPRESSED_BYTES = max(roster.MAX_XLSX_UNCOMPRESSED_BYTES, 2**34)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds, report = run_import(path, mode)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problems = report.error_count
    report.close()
    clear_people()
    print(
        json.dumps(
            {
                "kind": kind,
                "rows": rows,
                "seconds": seconds,
                "baseline_mb": baseline,
                "peak_mb": peak,
                "created": report.created,
                "rejected": report.rejected,
                "problems": problems,
            }
        )
    )


def measure_memory(sizes: list[int], directory: str, kind: str) -> list[dict]:
    results = []
    for size in sizes:
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--memory-child",
                str(size),
                "--memory-kind",
                kind,
                "--workdir",
                directory,
                "--roster",
                ROSTER,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "ENTEZAM_BENCH_DATABASE_URL": database_url()},
        )
        lines = [line for line in output.stdout.splitlines() if line.startswith("{")]
        if output.returncode != 0 or not lines:
            print(f"memory run for {size} rows failed:\n{output.stderr[-2000:]}")
            continue
        results.append(json.loads(lines[-1]))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--orm-sample", type=int, default=5000)
    parser.add_argument("--memory-sizes", default="100000,1000000")
    parser.add_argument(
        "--memory-kinds",
        default="csv,xlsx,rejected,rejected-limit",
        help="file kinds whose memory is measured (rejected: every row rejected, limit lifted; "
        "rejected-limit: the same with the limit on rejected rows)",
    )
    parser.add_argument(
        "--existing",
        type=int,
        default=1_000_000,
        help="people already in the table for the second import (0: skip it)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="imports timed per table; the median is shown"
    )
    parser.add_argument(
        "--roster",
        choices=["realistic", "uniform"],
        default="realistic",
        help="uniform: the tests' low-variety roster, to see what the variety costs",
    )
    parser.add_argument("--build-existing", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--import-existing", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory-kind", default="csv", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global ROSTER
    ROSTER = args.roster

    if args.memory_child:
        memory_child(args.memory_child, args.workdir, args.memory_kind)
        return 0
    if args.build_existing:
        build_child(args.build_existing)
        return 0
    if args.import_existing:
        import_child(args.import_existing, args.workdir)
        return 0

    url = database_url()
    try:
        recreate_database(url)
    except Exception as exc:  # no PostgreSQL here: a benchmark never fails the build
        print(f"PostgreSQL is not available at {url} ({exc}); nothing measured.")
        return 0
    setup_django(url)
    prepare()
    sizes = [int(size) for size in args.memory_sizes.split(",") if size.strip()]

    with tempfile.TemporaryDirectory(prefix="entezam-bench-import-") as directory:
        path = write_roster(Path(directory) / "roster.csv", args.rows)
        size_mb = path.stat().st_size / 1024 / 1024
        # On a shared machine one import's time moves by a third from run to run: with
        # --repeat, the median of several (the table emptied before each).
        import_runs = []
        for _run in range(args.repeat):
            clear_people()
            seconds, report = run_import(path)
            import_runs.append(seconds)
        import_seconds = statistics.median(import_runs)
        floor = time_write_floor()
        floor_seconds = floor["total"]
        # COPY is short and its time varies from run to run: the median of three.
        copy_seconds = statistics.median(time_copy(path) for _ in range(3))
        sample = min(args.orm_sample, args.rows)
        # Per-row references, each on a sample and extrapolated: (label, seconds).
        references = []
        for work, applications in (("Person.save() only", False), ("same work", True)):
            for commit, one_transaction in (("a commit per row", False), ("one tx", True)):
                seconds, saved = time_orm_save(path, sample, applications, one_transaction)
                references.append(
                    (
                        f"per-row ORM, {work}, {commit} ({saved:,} extrapolated)",
                        seconds * args.rows / max(saved, 1),
                        applications,
                    )
                )
        existing = None
        if args.existing:
            runs = [import_into_existing(args.existing, path) for _run in range(args.repeat)]
            failed = [run for run in runs if isinstance(run, str)]
            existing = (
                failed[0]
                if failed
                else {
                    **runs[0],
                    "seconds": statistics.median(run["seconds"] for run in runs),
                    "runs": [run["seconds"] for run in runs],
                }
            )
        kinds = [kind.strip() for kind in args.memory_kinds.split(",") if kind.strip()]
        memory = {kind: measure_memory(sizes, directory, kind) for kind in kinds}

    print()
    print(
        f"Roster import benchmark: {args.rows:,} rows ({args.roster} roster), {size_mb:.1f} MB "
        "CSV, PostgreSQL"
    )
    print(
        f"import report: created {report.created:,}, rejected {report.rejected:,}, "
        f"outcome {report.outcome}"
    )
    if args.repeat > 1:
        shown = ", ".join(f"{seconds:.1f}" for seconds in import_runs)
        print(f"imports timed {args.repeat}× each, medians shown; into the empty table: {shown} s")
        if isinstance(existing, dict):
            shown = ", ".join(f"{seconds:.1f}" for seconds in existing["runs"])
            print(f"  into the table of {args.existing:,} people: {shown} s")
    print()
    print(f"{'path':<74}{'seconds':>10}{'rows/s':>12}{'ratio':>10}")
    print("-" * 106)
    into_existing = isinstance(existing, dict)
    rows = [
        ("raw COPY into a bare text table", copy_seconds),
        ("our import (validated, upserted, applications + steps)", import_seconds),
        *(
            [(f"our import, into a table already holding {args.existing:,} people", existing_s)]
            if into_existing and (existing_s := existing["seconds"])
            else []
        ),
        ("write floor: the same rows INSERT … SELECT, no Python", floor_seconds),
        *((label, seconds) for label, seconds, _work in references),
    ]
    for label, seconds in rows:
        ratio = seconds / copy_seconds if copy_seconds else float("nan")
        print(f"{label:<74}{seconds:>10.2f}{args.rows / seconds:>12,.0f}{ratio:>9.1f}×")
    print()
    vs_copy = import_seconds / copy_seconds
    print(f"ratio import / COPY:                              {vs_copy:6.1f}×   (target ≤ 3×)")
    print(
        f"ratio write floor / COPY:                         {floor_seconds / copy_seconds:6.1f}×   "
        f"(the least any importer of these rows can cost)"
    )
    print(
        f"ratio import / write floor:                       {import_seconds / floor_seconds:6.1f}×"
        "   (empty table)"
    )
    if isinstance(existing, dict):
        print(
            f"ratio import into {args.existing:,} people / write floor: "
            f"{existing['seconds'] / floor_seconds:6.1f}×   (the same floor, measured on the "
            "empty table in this run)"
        )
        print(
            f"ratio import into {args.existing:,} people / COPY:        "
            f"{existing['seconds'] / copy_seconds:6.1f}×"
        )
        print(
            f"  ({existing['people_before']:,} people before; created {existing['created']:,}, "
            f"rejected {existing['rejected']:,}, outcome {existing['outcome']}"
            + (
                f"; the {args.existing:,} people were built in {existing['built_seconds']:.0f} s"
                if existing["built_seconds"]
                else "; the kept database was reused"
            )
            + ")"
        )
    elif existing is not None:
        print(f"import into a table of {args.existing:,} people: not measured ({existing})")
    print()
    print("write floor, step by step (the same rows, no Python):")
    for step, seconds in floor.items():
        if step != "total":
            print(f"  {step:<48}{seconds:>8.2f} s{seconds / copy_seconds:>8.1f}× COPY")
    print()
    same_work = min(seconds for _label, seconds, applications in references if applications)
    person_only = min(seconds for _label, seconds, applications in references if not applications)
    print(
        "speed-up vs per-row ORM, same work (person, application, step), its faster commit "
        f"mode: {same_work / import_seconds:6.1f}×   (target ≥ 20×)"
    )
    print(
        "speed-up vs per-row Person.save() alone (less work than ours), its faster commit "
        f"mode: {person_only / import_seconds:6.1f}×"
    )
    for kind, results in memory.items():
        if not results:
            continue
        print()
        print(
            f"{f'peak memory, {kind.upper()} (fresh process)':<34}{'rows':>8}"
            f"{'baseline MB':>14}{'peak MB':>10}{'growth MB':>11}{'seconds':>10}{'created':>11}"
            f"{'rejected':>10}{'problems':>10}"
        )
        for item in results:
            growth = item["peak_mb"] - item["baseline_mb"]
            print(
                f"{'':<30}{item['rows']:>12,}{item['baseline_mb']:>14.0f}{item['peak_mb']:>10.0f}"
                f"{growth:>11.0f}{item['seconds']:>10.1f}{item['created']:>11,}"
                f"{item.get('rejected', 0):>10,}{item.get('problems', 0):>10,}"
            )
        if len(results) > 1:
            first, last = results[0], results[-1]
            ratio = last["peak_mb"] / first["peak_mb"]
            print(
                f"peak memory ratio {kind.upper()} {last['rows']:,} / {first['rows']:,} rows: "
                f"{ratio:.2f}×   (target: flat, ≈ 1×)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
