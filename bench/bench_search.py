"""People search as the list page runs it, over N people on PostgreSQL (ratios, never pass/fail).

    .venv/bin/python bench/bench_search.py --people 1000000
    .venv/bin/python bench/bench_search.py --people 2000          # CI smoke run, seconds

Uses a throwaway database per size, named after `ENTEZAM_BENCH_DATABASE_URL` (default
postgres://postgres@127.0.0.1:5432/entezam_bench → `entezam_bench_search_<N>`), created
from the template `entezam_test_template` (UTF-8, pg_trgm) when missing. The data is the real seed
(`entezam seed --people N --institutions I`: Persian names from the project's corpus,
institutions in every province, employments and the reach they give), reused while the
database holds it, then VACUUM ANALYZEd. Measured, for the HQ administrator and scoped
roles (the province officer and the station officer of the largest institution), with
three query mixes drawn from the data — name fragments (3–6 letters), full names
(«محمد رضایی», first and last name of people in the register) and national codes:

* the page: what the people list (`PersonListView`) asks the database for one search —
  the scope predicate, the capped count, the page query (numbered, or keyset past the
  cap), the planner's estimate of a capped list, the active employments shown and which
  national codes the reader may see; everything but rendering the HTML. Timed per
  statement, so the count and the page query are also shown apart;
* the bare query (HQ only, no scope): `search_name LIKE '%key%' ORDER BY id LIMIT 25`,
  the statement the page runs for its rows, alone;
* its sequential-scan reference: the very same statement (same predicate, order and
  limit) with index and bitmap scans switched off, on a sample.

Exit status is always 0: a missing PostgreSQL is reported, not failed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The test factories (`tests.*`) build the benchmarks' data.
sys.path.insert(0, str(PROJECT_ROOT))

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/entezam_bench"
TEMPLATE = "entezam_test_template"
TARGET_PAGE_P95_MS = 100.0  # issue 10: every page p95 ≤ 100 ms for every role
TARGET_BARE_P95_MS = 20.0
TARGET_SCAN_RATIO = 50.0
PAGE = 25
ROLES = [
    ("hq_admin", "HQ admin"),
    ("province_officer", "province officer"),
    ("station_officer", "station officer"),
]
MIXES = [
    ("fragment", "name fragment"),
    ("full_name", "full name"),
    ("code", "national code"),
]


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


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parsed.path.lstrip("/"))
            )
        )


def sized_url(url: str, people: int) -> str:
    """One database per size (`<name>_search_<people>`): a smoke run never replaces the
    million people a full run seeded."""
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"{parsed.path.rstrip('/')}_search_{people}"))


def held_size(url: str) -> tuple[int, int] | None:
    """(people, institutions) the bench database holds, or None when it holds no seed."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM personnel_person), "
                "(SELECT count(*) FROM institutions_institution)"
            ).fetchone()
    except psycopg.Error:
        return None
    return (int(row[0]), int(row[1])) if row and row[1] else None


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["ENTEZAM_DATABASE_URL"] = url
    os.environ.setdefault("ENTEZAM_VAR_DIR", tempfile.mkdtemp(prefix="entezam-bench-var-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entezam.config.settings")
    import django

    django.setup()


def seed(people: int, institutions: int) -> float:
    """The real seed into the empty bench database; the seconds taken."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command(
        "seed", people=people, institutions=institutions, verbosity=0, stdout=io.StringIO()
    )
    with connection.cursor() as cursor:
        # Fresh statistics and visibility map, as autovacuum keeps them on a working database.
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def bench_users(roles=None, prefix: str = "bench_search_") -> tuple[dict, object]:
    """One user per role of `roles` ((role, label) pairs; this benchmark's by default),
    created once, the scoped ones at the largest institution (the pages benchmark too)."""
    from django.db.models import Count, Q

    from entezam.accounts.models import User
    from entezam.accounts.services import role_assign, user_create
    from entezam.institutions.models import Institution

    largest = (
        Institution.objects.annotate(
            staff=Count("employments", filter=Q(employments__end_date__isnull=True))
        )
        .order_by("-staff", "pk")
        .select_related("province", "supervising_unit")
        .first()
    )
    scopes = {
        "province_officer": {"province": largest.province},
        "station_officer": {"police_unit": largest.supervising_unit},
        "institution_manager": {"institution": largest},
    }
    users = {}
    for role, _label in roles or ROLES:
        username = f"{prefix}{role}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(actor=None, username=username, password="Bench-1404-x")
            role_assign(actor=None, user=user, role=role, **scopes.get(role, {}))
        users[role] = user
    return users, largest


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


def sampled_people(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """(first name, last name, national code) of `count` people drawn from the register."""
    from django.db.models import Max, Min

    from entezam.personnel.models import Person

    bounds = Person.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return []
    found: dict[int, tuple[str, str, str]] = {}
    for _attempt in range(20):
        wanted = {rng.randint(bounds["low"], bounds["high"]) for _ in range(count * 2)}
        for pk, first, last, code in Person.objects.filter(id__in=wanted).values_list(
            "id", "first_name", "last_name", "national_code"
        ):
            found.setdefault(pk, (first, last, code))
        if len(found) >= count:
            break
    people = [found[pk] for pk in sorted(found)]
    rng.shuffle(people)
    return people[:count]


class StatementTimer:
    """A database execute wrapper: the SQL and milliseconds of every statement run."""

    def __init__(self):
        self.statements: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, (time.perf_counter() - started) * 1000))


def page_cost(user, query: str) -> dict:
    """One search of the people list page, as `user` opens it: its statements and times."""
    from django.db import connection
    from django.test import RequestFactory

    from entezam.personnel.views import PersonListView

    request = RequestFactory().get("/people/", {"q": query})
    request.user = user
    view = PersonListView()
    view.setup(request)
    timer = StatementTimer()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        response = view.dispatch(request)
        context = response.context_data
        page = context["page_obj"]
        rows = list(context["object_list"])
        for person in rows:  # what each row shows: the active employment, the code
            _shown = (person.active_employments, person.national_code_display)
        paginator = page.paginator
        capped = paginator.capped
        if capped:
            _about = paginator.estimate  # "more than N (about M)"
    total_ms = (time.perf_counter() - started) * 1000
    count_ms = sum(ms for sql, ms in timer.statements if "COUNT(" in sql.upper())
    listing = [
        ms
        for sql, ms in timer.statements
        if 'FROM "personnel_person"' in sql and "COUNT(" not in sql.upper() and "LIMIT" in sql
    ]
    return {
        "ms": total_ms,
        "sql_ms": sum(ms for _sql, ms in timer.statements),
        "count_ms": count_ms,
        "page_query_ms": listing[0] if listing else 0.0,
        "queries": len(timer.statements),
        "rows": len(rows),
        "capped": capped,
    }


def bare_statement(key: str) -> tuple[str, tuple]:
    """The statement the page runs for its rows, without the scope: SQL and parameters."""
    from entezam.core.persian import normalize
    from entezam.personnel.models import Person

    queryset = Person.objects.filter(search_name__contains=normalize(key)).order_by("id")[:PAGE]
    return queryset.query.sql_with_params()


def run_statement(statement: tuple[str, tuple]) -> list:
    from django.db import connection

    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def timed(func, items) -> list[float]:
    samples = []
    for item in items:
        started = time.perf_counter()
        func(item)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(costs: list[dict]) -> dict:
    totals = [cost["ms"] for cost in costs]
    return {
        "p50_ms": percentile(totals, 0.5),
        "p95_ms": percentile(totals, 0.95),
        "sql_p50_ms": percentile([cost["sql_ms"] for cost in costs], 0.5),
        "count_p50_ms": percentile([cost["count_ms"] for cost in costs], 0.5),
        "page_query_p50_ms": percentile([cost["page_query_ms"] for cost in costs], 0.5),
        "queries": statistics.median(cost["queries"] for cost in costs) if costs else 0,
        "mean_rows": statistics.mean(cost["rows"] for cost in costs) if costs else 0,
        "capped_share": (sum(cost["capped"] for cost in costs) / len(costs)) if costs else 0,
    }


def measure(args, users) -> dict:
    from django.conf import settings
    from django.db import connection, transaction

    from entezam.core.persian import normalize

    # A benchmark user makes more exact-code searches than a person may in an hour: the
    # lookups are still counted and audited, as for anyone; only the refusal is lifted.
    settings.CODE_LOOKUPS_PER_HOUR = 10**9
    rng = random.Random(args.seed)
    people = sampled_people(rng, args.queries)
    queries = {
        "fragment": fragments(rng, args.queries),
        "full_name": [f"{first} {last}" for first, last, _code in people],
        "code": [code for _first, _last, code in people],
    }
    pages: dict[tuple[str, str], dict] = {}
    for role, _label in ROLES:
        user = users[role]
        for query in queries["fragment"][:5] + queries["full_name"][:5]:
            page_cost(user, query)  # warm the caches and the connection
        for mix, _mix_label in MIXES:
            pages[(role, mix)] = summary([page_cost(user, query) for query in queries[mix]])

    bare: dict[str, dict] = {}
    for mix in ("fragment", "full_name"):
        statements = [bare_statement(key) for key in queries[mix]]
        samples = timed(run_statement, statements)
        hits = [len(run_statement(statement)) for statement in statements[:50]]
        sample = statements[: args.scan_sample]
        with transaction.atomic(), connection.cursor() as cursor:
            for switch in ("enable_bitmapscan", "enable_indexscan", "enable_indexonlyscan"):
                cursor.execute(f"SET LOCAL {switch} = off")
            scan_ms = timed(run_statement, sample)
        indexed_ms = timed(run_statement, sample)
        scan_p50, indexed_p50 = percentile(scan_ms, 0.5), percentile(indexed_ms, 0.5)
        bare[mix] = {
            "p50_ms": percentile(samples, 0.5),
            "p95_ms": percentile(samples, 0.95),
            "mean_rows": statistics.mean(hits) if hits else 0,
            "scan_queries": len(sample),
            "scan_p50_ms": scan_p50,
            "scan_p95_ms": percentile(scan_ms, 0.95),
            "indexed_same_sample_p50_ms": indexed_p50,
            "scan_ratio": scan_p50 / indexed_p50 if indexed_p50 else float("nan"),
        }
    from entezam.personnel.models import Person

    codes = queries["code"]
    code_ms = timed(lambda code: list(Person.objects.filter(national_code=code)[:1]), codes)
    bare["code"] = {"p50_ms": percentile(code_ms, 0.5), "p95_ms": percentile(code_ms, 0.95)}
    examples = {mix: [normalize(q) for q in items[:3]] for mix, items in queries.items()}
    return {"pages": pages, "bare": bare, "examples": examples}


def report(total: int, institution, seeded: float | None, measured: dict, args) -> None:
    def verdict(ok):
        return "meets target" if ok else "MISSES target"

    pages, bare = measured["pages"], measured["bare"]
    print(f"\npeople search over {total:,} people (PostgreSQL), {args.queries} queries per mix")
    if seeded is not None:
        print(f"seeded with `entezam seed` + VACUUM ANALYZE in {seeded:.1f} s")
    print(
        f"scoped roles at the largest institution: {institution.name} "
        f"(province {institution.province.name})"
    )
    print(
        "query mixes, e.g.: "
        + "; ".join(
            f"{mix}: " + ", ".join(f"«{q}»" for q in items)
            for mix, items in measured["examples"].items()
            if mix != "code"
        )
    )
    print()
    header = (
        "page (people list search)",
        "role",
        "p50",
        "p95",
        "all SQL p50",
        "count p50",
        "rows query p50",
        "SQL",
        "rows",
        "capped",
        "page / bare",
        f"p95 ≤ {TARGET_PAGE_P95_MS:g} ms",
    )
    rows = [header]
    for mix, mix_label in MIXES:
        for role, role_label in ROLES:
            page = pages[(role, mix)]
            base = bare[mix]["p50_ms"]
            rows.append(
                (
                    mix_label,
                    role_label,
                    f"{page['p50_ms']:.1f} ms",
                    f"{page['p95_ms']:.1f} ms",
                    f"{page['sql_p50_ms']:.1f} ms",
                    f"{page['count_p50_ms']:.1f} ms",
                    f"{page['page_query_p50_ms']:.1f} ms",
                    f"{page['queries']:g}",
                    f"{page['mean_rows']:.1f}",
                    f"{page['capped_share']:.0%}",
                    f"{page['p50_ms'] / base:.1f}×" if base else "—",
                    verdict(page["p95_ms"] <= TARGET_PAGE_P95_MS),
                )
            )
    table(rows)
    print(
        "(all SQL: every statement of the page, the rest is Python; count: the capped COUNT "
        "statement; rows query: the statement that reads the page's rows; SQL: statements per "
        "page; capped: share of searches past the count cap; page / bare: page p50 over the "
        "bare statement's p50 below)"
    )
    print()
    rows = [("bare statement, no scope", "p50", "p95", "rows", f"p95 ≤ {TARGET_BARE_P95_MS:g} ms")]
    for mix, mix_label in MIXES:
        figures = bare[mix]
        rows.append(
            (
                f"{mix_label}, {args.queries} queries",
                f"{figures['p50_ms']:.2f} ms",
                f"{figures['p95_ms']:.2f} ms",
                f"{figures['mean_rows']:.1f}" if "mean_rows" in figures else "",
                verdict(figures["p95_ms"] <= TARGET_BARE_P95_MS),
            )
        )
    table(rows)
    print()
    rows = [("same statement, sequential scan", "scan p50", "indexed p50", "ratio", "target")]
    for mix in ("fragment", "full_name"):
        figures = bare[mix]
        rows.append(
            (
                f"{dict(MIXES)[mix]}, {figures['scan_queries']} queries",
                f"{figures['scan_p50_ms']:.2f} ms",
                f"{figures['indexed_same_sample_p50_ms']:.2f} ms",
                f"{figures['scan_ratio']:.1f}×",
                f"≥ {TARGET_SCAN_RATIO:g}× {verdict(figures['scan_ratio'] >= TARGET_SCAN_RATIO)}",
            )
        )
    table(rows)
    print(
        "(the scan runs the bare statement itself — same LIKE predicate, ORDER BY id, "
        f"LIMIT {PAGE} — with index and bitmap scans off)"
    )


def table(rows) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument(
        "--institutions",
        type=int,
        help="seeded institutions (default: 850, fewer below 100,000 people)",
    )
    parser.add_argument("--queries", type=int, default=100, help="queries per mix and role")
    parser.add_argument("--scan-sample", type=int, default=20, help="queries for the scan")
    parser.add_argument("--seed", type=int, default=1404)
    parser.add_argument("--reload", action="store_true", help="seed again even if N people exist")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    institutions = args.institutions or (850 if args.people >= 100_000 else 40)
    url = sized_url(os.environ.get("ENTEZAM_BENCH_DATABASE_URL", DEFAULT_URL), args.people)

    try:
        import psycopg  # noqa: F401
    except ImportError:
        print("bench_search: psycopg is not installed; skipped.")
        return 0
    problem = ensure_database(url)
    if problem:
        print(f"bench_search: {problem}; skipped.")
        return 0
    held = held_size(url)
    fresh = args.reload or held is None or held[0] < args.people or held[1] != institutions
    if fresh and held is not None:
        drop_database(url)
        ensure_database(url)
    setup_django(url)

    from django.core.management import call_command

    from entezam.personnel.models import Person

    call_command("migrate", verbosity=0)
    seeded = seed(args.people, institutions) if fresh else None
    total = Person.objects.count()
    users, institution = bench_users()
    measured = measure(args, users)
    if args.json:
        figures = {
            "people": total,
            "seed_seconds": seeded,
            "pages": {f"{role}/{mix}": v for (role, mix), v in measured["pages"].items()},
            "bare": measured["bare"],
        }
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return 0
    report(total, institution, seeded, measured, args)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # a benchmark reports, it never fails the run
        print(f"bench_search: stopped: {error!r}")
        sys.exit(0)
