"""Name search and national-code lookup over N people on PostgreSQL (ratios, never pass/fail).

    .venv/bin/python bench/bench_search.py --people 1000000
    .venv/bin/python bench/bench_search.py --people 2000          # CI smoke run, seconds

Uses a throwaway database (`ENTEZAM_BENCH_DATABASE_URL`, default
postgres://postgres@127.0.0.1:5432/entezam_bench), created from the template
`entezam_test_template` (UTF-8, pg_trgm) when missing. People are loaded with `COPY` (with
the normalised `search_name`), then ANALYZEd. Measured:

* name-fragment search, as the list page queries it:
  `Person.objects.filter(search_name__contains=key)[:25]` (trigram GIN index);
* the same fragments as a sequential `ILIKE` scan of the unindexed `first_name || ' ' ||
  last_name`, on a sample;
* exact national-code lookups.

Exit status is always 0: a missing PostgreSQL is reported, not failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The test factories (`tests.*`) build the benchmarks' data.
sys.path.insert(0, str(PROJECT_ROOT))

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/entezam_bench"
TEMPLATE = "entezam_test_template"
TARGET_FRAGMENT_P95_MS = 20.0
TARGET_SCAN_RATIO = 50.0
TARGET_CODE_P95_MS = 2.0
PAGE = 25


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def ensure_database(url: str) -> str | None:
    """Create the bench database from the template if needed; an error message, or None."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                has_template = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE]
                ).fetchone()
                template = sql.SQL(" TEMPLATE {}").format(sql.Identifier(TEMPLATE))
                conn.execute(
                    sql.SQL("CREATE DATABASE {}{}").format(
                        sql.Identifier(name), template if has_template else sql.SQL("")
                    )
                )
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at {admin_url}: {error}".strip()
    return None


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["ENTEZAM_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entezam.config.settings")
    import django

    django.setup()


def national_codes(count: int):
    """`count` distinct valid national codes (a bijection of 0..count-1 onto 9-digit bodies)."""
    from entezam.core.persian.validators import national_code_check_digit

    produced = 0
    index = 0
    while produced < count:
        body = f"{(index * 7919 + 104729) % 10**9:09d}"
        index += 1
        code = body + str(national_code_check_digit(body))
        if code == code[0] * 10:
            continue
        produced += 1
        yield code


def load_people(count: int, rng: random.Random) -> float:
    """Replace the people table with `count` generated people; returns the seconds taken."""
    from django.db import connection

    from entezam.core.demo_data import names
    from entezam.core.persian import normalize
    from entezam.personnel.models import Person

    data = names()
    male, female, last = data["male_first_names"], data["female_first_names"], data["last_names"]
    keys: dict[tuple[str, str], str] = {}
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
    table = Person._meta.db_table
    index = "person_search_trgm"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
        # Building the trigram index once after the load is much faster than maintaining it.
        cursor.execute(f"DROP INDEX IF EXISTS {index}")
        raw = cursor.connection
        now = "2025-01-01 00:00:00+00"
        educations = ["below_diploma", "diploma", "diploma", "diploma", "associate", "bachelor"]
        with raw.cursor() as pg, pg.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for code in national_codes(count):
                is_female = rng.random() < 0.08
                first = rng.choice(female if is_female else male)
                surname = rng.choice(last)
                key = keys.get((first, surname))
                if key is None:
                    key = keys[(first, surname)] = normalize(f"{first} {surname}")
                copy.write_row(
                    (
                        now,
                        now,
                        code,
                        first,
                        surname,
                        rng.choice(male),
                        birth_date(rng),
                        "female" if is_female else "male",
                        f"0912{rng.randrange(10**7):07d}",
                        rng.choice(educations),
                        "" if is_female else "completed",
                        "",
                        "",
                        key,
                    )
                )
        cursor.execute(f"CREATE INDEX {index} ON {table} USING gin (search_name gin_trgm_ops)")
        cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def birth_date(rng: random.Random) -> str:
    return f"{rng.randint(1960, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def fragments(rng: random.Random, count: int) -> list[str]:
    from entezam.core.demo_data import names
    from entezam.core.persian import normalize

    data = names()
    words = data["last_names"] + data["male_first_names"] + data["female_first_names"]
    result = []
    while len(result) < count:
        word = normalize(rng.choice(words)).replace(" ", "")
        if len(word) < 3:
            continue
        size = rng.randint(3, min(len(word), 6))
        start = rng.randint(0, len(word) - size)
        result.append(word[start : start + size])
    return result


def timed(func, items) -> list[float]:
    samples = []
    for item in items:
        started = time.perf_counter()
        func(item)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200, help="name fragments to time")
    parser.add_argument("--scan-sample", type=int, default=20, help="fragments for the ILIKE scan")
    parser.add_argument("--lookups", type=int, default=1000, help="national-code lookups")
    parser.add_argument("--seed", type=int, default=1404)
    parser.add_argument("--reload", action="store_true", help="reload even if N people exist")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    url = os.environ.get("ENTEZAM_BENCH_DATABASE_URL", DEFAULT_URL)

    try:
        import psycopg  # noqa: F401
    except ImportError:
        print("bench_search: psycopg is not installed; skipped.")
        return 0
    problem = ensure_database(url)
    if problem:
        print(f"bench_search: {problem}; skipped.")
        return 0
    setup_django(url)

    from django.core.management import call_command
    from django.db import connection

    from entezam.personnel.models import Person

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    load_seconds = None
    if args.reload or Person.objects.count() != args.people:
        load_seconds = load_people(args.people, rng)
    total = Person.objects.count()

    keys = fragments(rng, args.queries)

    def search(key):
        # As the list page queries a search without an explicit sort: in id order.
        return list(Person.objects.filter(search_name__contains=key).order_by("id")[:PAGE])

    def search_by_name_order(key):
        return list(Person.objects.filter(search_name__contains=key)[:PAGE])

    for key in keys[:10]:
        search(key)  # warm the cache and the connection
    fragment_ms = timed(search, keys)
    hits = [len(search(key)) for key in keys[:50]]
    name_order_ms = timed(search_by_name_order, keys[: args.scan_sample * 2])

    sample = keys[: args.scan_sample]
    table = Person._meta.db_table

    def scan(key):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} WHERE (first_name || ' ' || last_name) ILIKE %s "
                f"ORDER BY last_name, first_name LIMIT {PAGE}",
                [f"%{key}%"],
            )
            return cursor.fetchall()

    with connection.cursor() as cursor:
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("SET enable_indexscan = off")
    scan_ms = timed(scan, sample)
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_bitmapscan")
        cursor.execute("RESET enable_indexscan")
    indexed_sample_ms = timed(search, sample)

    codes = list(Person.objects.values_list("national_code", flat=True)[: min(total, 200_000)])
    lookups = [rng.choice(codes) for _ in range(args.lookups)] if codes else []

    def lookup(code):
        return list(Person.objects.filter(national_code=code)[:1])

    code_ms = timed(lookup, lookups)

    frag_p50, frag_p95 = percentile(fragment_ms, 0.5), percentile(fragment_ms, 0.95)
    scan_p50 = percentile(scan_ms, 0.5)
    indexed_p50 = percentile(indexed_sample_ms, 0.5)
    ratio = scan_p50 / indexed_p50 if indexed_p50 else float("nan")
    code_p50, code_p95 = percentile(code_ms, 0.5), percentile(code_ms, 0.95)
    figures = {
        "people": total,
        "load_seconds": load_seconds,
        "fragment_p50_ms": frag_p50,
        "fragment_p95_ms": frag_p95,
        "fragment_mean_hits": statistics.mean(hits) if hits else 0,
        "ilike_scan_p50_ms": scan_p50,
        "indexed_same_sample_p50_ms": indexed_p50,
        "scan_ratio": ratio,
        "national_code_p50_ms": code_p50,
        "national_code_p95_ms": code_p95,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0

    def verdict(ok):
        return "meets target" if ok else "MISSES target"

    print(f"\nname search and national-code lookup over {total:,} people (PostgreSQL)")
    if load_seconds is not None:
        print(f"loaded with COPY + GIN index + ANALYZE in {load_seconds:.1f} s")
    rows = [
        ("path", "p50", "p95", "target", ""),
        (
            f"name fragment, {len(keys)} queries ([:{PAGE}])",
            f"{frag_p50:.2f} ms",
            f"{frag_p95:.2f} ms",
            f"p95 ≤ {TARGET_FRAGMENT_P95_MS:g} ms",
            verdict(frag_p95 <= TARGET_FRAGMENT_P95_MS),
        ),
        (
            f"  same, sorted by name, {len(name_order_ms)} queries",
            f"{percentile(name_order_ms, 0.5):.2f} ms",
            f"{percentile(name_order_ms, 0.95):.2f} ms",
            "",
            "(sort reads every match)",
        ),
        (
            f"sequential ILIKE scan, {len(sample)} queries",
            f"{scan_p50:.2f} ms",
            f"{percentile(scan_ms, 0.95):.2f} ms",
            "",
            "",
        ),
        (
            "  indexed / scan, same queries (p50)",
            f"{ratio:.0f}×",
            "",
            f"≥ {TARGET_SCAN_RATIO:g}×",
            verdict(ratio >= TARGET_SCAN_RATIO),
        ),
        (
            f"national code, {len(lookups)} lookups",
            f"{code_p50:.3f} ms",
            f"{code_p95:.3f} ms",
            f"p95 ≤ {TARGET_CODE_P95_MS:g} ms",
            verdict(code_p95 <= TARGET_CODE_P95_MS),
        ),
    ]
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"(mean rows returned per fragment query: {figures['fragment_mean_hits']:.1f})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # a benchmark reports, it never fails the run
        print(f"bench_search: stopped: {error!r}")
        sys.exit(0)
