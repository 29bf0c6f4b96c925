"""Page benchmark: every page as every role, at N people, on PostgreSQL, served by gunicorn
(ratios, never pass/fail).

    .venv/bin/python bench/bench_pages.py --people 100000     # database entezam_bench_sb_100k
    .venv/bin/python bench/bench_pages.py --people 1000000    # database entezam_bench_sb_1m
    .venv/bin/python bench/bench_pages.py --people 2000 --institutions 40 --requests 3 \
        --seconds 1                                           # CI smoke run

The database (`--database`, or `ENTEZAM_BENCH_DATABASE_URL`; by default one per size) is
created from the template `entezam_test_template` and filled by the real seed
(`entezam seed --people N --applicants M --applications A`: institutions in every province,
people with employment histories, applicants taken through selection, A applications in
all written in bulk (default: one per person), the reach table) once; later runs reuse it
(and add applications when fewer than asked). One bench user per role is scoped to the
largest institution (its province, its supervising station, the institution itself).

The app is served by gunicorn (2 sync workers) on 127.0.0.1 (`--port`, or
`ENTEZAM_BENCH_PORT`), beside a trivial view (a plain "ok" through the same middleware),
and driven, signed in as each role through a session made for its bench user, by wrk when
it is installed (`--client`; `--concurrency` connections for `--seconds` per page: a C
program, it leaves the two cores to the server) or else by a bounded Python client
(`--concurrency` threads, `--requests` requests, one connection each; it shares the
machine with the server and flatters no one). For each page and role: p50/p95 (loopback:
server time plus a fraction of a millisecond), requests/s and its ratio to the trivial
view's in the same run (`rps ×triv`; the same view signed in is printed as the floor of a
signed-in page),
a scoped role's p50 over the HQ administrator's (`vs HQ`), and, from one request through
Django's test client in this process, the SQL queries the page runs and the p50 of its
slowest query run alone (`main SQL ms`).

Targets (issue 10): p95 ≤ 100 ms; requests/s ≥ 0.2× the trivial view's.
Exit status is always 0: a missing PostgreSQL is reported, not failed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import served  # noqa: E402
from bench_search import bench_users as shared_bench_users  # noqa: E402
from bench_search import ensure_database  # noqa: E402

BASE_URL = "postgres://postgres@127.0.0.1:5432/"
NAMED_SIZES = {100_000: "entezam_bench_sb_100k", 1_000_000: "entezam_bench_sb_1m"}
TARGET_P95_MS = 100.0
TARGET_RPS_RATIO = 0.2
PORT = int(os.environ.get("ENTEZAM_BENCH_PORT", "8413"))
REDIS_URL = os.environ.get("ENTEZAM_BENCH_PAGES_REDIS_URL", "redis://127.0.0.1:6379/11")
_BENCH_SETTINGS = """
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "10000000/min"},
}
"""
ROLES = [
    ("hq_admin", "HQ admin"),
    ("province_officer", "province officer"),
    ("station_officer", "station officer"),
    ("institution_manager", "institution manager"),
    ("trainer", "trainer"),
    ("center_operator", "197 operator"),
]


def database_url(args) -> str:
    if args.database:
        return args.database if "://" in args.database else BASE_URL + args.database
    if os.environ.get("ENTEZAM_BENCH_DATABASE_URL"):
        return os.environ["ENTEZAM_BENCH_DATABASE_URL"]
    return BASE_URL + NAMED_SIZES.get(args.people, f"entezam_bench_pages_{args.people}")


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["ENTEZAM_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entezam.config.settings")
    import django

    django.setup()
    import logging

    # Pages a role may not open answer 403/404 by design: not worth a traceback each.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)


def seed(people: int, applicants: int, institutions: int, applications: int) -> float | None:
    """Seed the database once (the real `entezam seed`), adding bulk applications up to
    `applications` on a database seeded before; the seconds taken, or None if reused."""
    from django.core.management import call_command
    from django.db import connection

    from entezam.institutions.models import Institution
    from entezam.vetting.models import Application

    call_command("migrate", verbosity=0)
    # Pages link their hashed static files, as the served app does.
    call_command("collectstatic", interactive=False, verbosity=0)
    seconds = None
    if not Institution.objects.exists():
        started = time.perf_counter()
        call_command(
            "seed",
            people=people,
            applicants=applicants,
            applications=applications,
            institutions=institutions,
            verbosity=0,
        )
        seconds = time.perf_counter() - started
    elif Application.objects.count() < applications:
        import random

        from entezam.accounts.seed import system_actor
        from entezam.vetting import board
        from entezam.vetting.seed import seed_bulk_applications

        started = time.perf_counter()
        seed_bulk_applications(actor=system_actor(), count=applications, rng=random.Random(1404))
        board.refresh_stage_summary()
        seconds = time.perf_counter() - started
    # Fresh statistics and visibility map, as autovacuum keeps them on a working database.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return seconds


def bench_users() -> dict:
    """One user per role (created once), the scoped ones at the largest institution."""
    users, largest = shared_bench_users(ROLES, prefix="bench_")
    return {"users": users, "institution": largest}


def deep_cursor(position: int) -> str:
    """The people register's keyset cursor after row `position` in name order."""
    from entezam.core.pagination import _encode
    from entezam.personnel.models import Person

    row = (
        Person.objects.order_by("last_name", "first_name", "pk")
        .values_list("last_name", "first_name", "pk")[position : position + 1]
        .first()
    )
    return _encode(list(row)) if row else ""


def table_pages(institution, people_count: int) -> list[tuple[str, str]]:
    """The pages of the issue's table: (label, url)."""
    from django.urls import reverse

    people = reverse("personnel:list")
    return [
        ("people list, first page", people),
        ('people search "محمد"', f"{people}?{urlencode({'q': 'محمد'})}"),
        ("person detail", "PERSON"),
        ("people of one institution", f"{people}?institution={institution.pk}"),
        ("applications list", reverse("vetting:application_list")),
        ("selection board", reverse("vetting:pipeline")),
        (
            "people, deep page (keyset)",
            f"{people}?{urlencode({'after': deep_cursor(min(50_000, people_count // 2))})}",
        ),
    ]


def detail_people(institution, count: int = 20) -> list[int]:
    """People employed at `institution` now: a detail page every scoped role may open."""
    from entezam.personnel.models import Employment

    ids = list(
        Employment.objects.filter(institution=institution, end_date__isnull=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)[: count * 50]
    )
    return ids[:: max(1, len(ids) // count)][:count]


def other_pages(user, known: set[str]) -> list[tuple[str, str]]:
    """The rest of the role's navigation and every API list endpoint."""
    from entezam.core.context_processors import navigation_items
    from tests.test_query_counts import api_list_urls

    pages = []
    for item in navigation_items(user, "/"):
        for link in item.get("children", [item]):
            url = link["url"]
            if url.split("?")[0] not in known and url not in {u for _, u in pages}:
                pages.append((f"nav {url}", url))
    pages += [(f"api {url}", url) for url in api_list_urls()]
    return pages


def queries_of(client, urls: list[str], warmup: int) -> dict:
    """One request through Django's test client in this process: status and SQL."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    first = client.get(urls[0], secure=True)
    if first.status_code != 200:  # not this role's page: nothing to time
        return {"status": first.status_code, "queries": 0, "sql": []}
    for i in range(warmup):
        client.get(urls[i % len(urls)], secure=True)
    # Each request resets the query log: start the capture from an empty one.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(urls[0], secure=True)
    statements = [q["sql"] for q in captured.captured_queries]
    return {"status": response.status_code, "queries": len(statements), "sql": statements}


def session_headers(client) -> dict[str, str]:
    """Request headers carrying `client`'s session (made by `force_login`), as a browser
    behind the TLS proxy sends them."""
    from django.conf import settings

    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "X-Forwarded-Proto": "https"}


def main_sql_ms(statements: list[str], requests: int) -> tuple[float, str]:
    """p50 of the page's slowest read, run alone with `requests` repetitions, and its text."""
    from django.db import connection

    def run(sql: str) -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: the logged text is the bound statement
            cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    reads = [s for s in dict.fromkeys(statements) if s.lstrip().upper().startswith("SELECT")]
    if not reads:
        return float("nan"), ""
    slowest = max(reads, key=lambda sql: min(run(sql), run(sql)))
    return statistics.median(run(slowest) for _ in range(max(3, requests // 2))), slowest


def redis_reachable() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:  # no Redis here: the server keeps its cache and sessions locally
        return False
    return True


def drive(args, paths: list[str], headers: dict, *, warmup: bool = False) -> dict:
    """Load `paths` with the chosen client: wrk for `--seconds` (a warm-up: one second), or
    `--requests` requests from this process's threads."""
    if args.use_wrk:
        return served.load_wrk(
            args.port,
            paths,
            seconds=1 if warmup else args.seconds,
            connections=args.concurrency,
            headers=headers,
        )
    count = args.warmup if warmup else args.requests
    if paths == [served.TRIVIAL_PATH] and not headers:
        count = 20 if warmup else max(200, args.requests * 10)
    return served.load(
        args.port, paths, threads=args.concurrency, requests=count, headers=headers, timeout=120
    )


def measure(args, url: str) -> dict:
    from django.test import Client
    from django.urls import reverse

    from entezam.personnel.models import Employment, Person
    from entezam.vetting.models import Application

    people_count = Person.objects.count()
    setup = bench_users()
    institution = setup["institution"]
    staff = Employment.objects.filter(institution=institution, end_date__isnull=True).count()
    pages = table_pages(institution, people_count)
    person_urls = [reverse("personnel:detail", args=[pk]) for pk in detail_people(institution)]
    known = {url.split("?")[0] for _, url in pages if url != "PERSON"}
    known.add(reverse("personnel:detail", args=[0]).rsplit("0/", 1)[0])

    # In this process: which pages each role may open, their SQL and its slowest query.
    plan = []
    for role, label in ROLES:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(setup["users"][role])
        headers = session_headers(client)
        role_pages = pages + ([] if args.table_only else other_pages(setup["users"][role], known))
        for page_label, page_url in role_pages:
            urls = person_urls if page_url == "PERSON" else [page_url]
            figures = queries_of(client, urls, args.warmup)
            if figures["status"] == 200:
                figures["ref"], figures["ref_sql"] = main_sql_ms(figures["sql"], args.requests)
            plan.append(
                {"role": role, "role_label": label, "page": page_label, "urls": urls, **figures}
            )
            plan[-1]["headers"] = headers

    # Served: the timings and throughput.
    server = served.serve(
        url,
        port=args.port,
        name="bench_pages",
        manifest_static=True,
        # As deployed: Redis holds the cache and the sessions (read there, not from the
        # database). One bench user asks for thousands of API pages a minute: its
        # throttle is raised (still counted, so its cost stays in the figures).
        env={"ENTEZAM_REDIS_URL": REDIS_URL} if redis_reachable() else {},
        extra_settings=_BENCH_SETTINGS,
    )
    try:
        trivial_paths = [served.TRIVIAL_PATH]
        drive(args, trivial_paths, {}, warmup=True)
        trivial = drive(args, trivial_paths, {})
        # The same view signed in as the HQ administrator: the floor of every page below
        # (the session and the user read from the database, the role assignments).
        signed_in = drive(args, trivial_paths, plan[0]["headers"]) if plan else trivial
        for row in plan:
            if row["status"] != 200:
                continue
            drive(args, row["urls"], row["headers"], warmup=True)
            row.update(drive(args, row["urls"], row["headers"]))
    finally:
        server.stop()
    return {
        "people": people_count,
        "applications": Application.objects.count(),
        "institution": institution,
        "staff": staff,
        "trivial": trivial,
        "signed_in": signed_in,
        "redis": redis_reachable(),
        "results": plan,
    }


def report(measured: dict, args, seeded: float | None) -> None:
    trivial = measured["trivial"]
    load = (
        f"wrk, {args.concurrency} connections, {args.seconds:g} s per page"
        if args.use_wrk
        else f"{args.concurrency} client threads in this process, {args.requests} requests per page"
    )
    print(
        f"\npages over {measured['people']:,} people and {measured['applications']:,} "
        f"applications (PostgreSQL; gunicorn, 2 sync workers, on loopback; {load}; cache "
        f"and sessions: {'Redis' if measured['redis'] else 'in the process and database'})"
    )
    if seeded is not None:
        print(f"seeded with `entezam seed` in {seeded:.0f} s")
    print(
        f"scoped roles at the largest institution: {measured['institution'].name} "
        f"({measured['staff']:,} staff now); trivial view: {trivial['rps']:.0f} req/s, "
        f"p50 {trivial['p50']:.2f} ms; signed in (HQ admin): {measured['signed_in']['rps']:.0f} "
        f"req/s = {measured['signed_in']['rps'] / trivial['rps']:.2f}× trivial"
    )
    hq = {r["page"]: r for r in measured["results"] if r["role"] == "hq_admin"}
    signed_in = measured["signed_in"]["rps"]
    rows = [("page", "role", "HTTP", "p50 ms", "p95 ms", "req/s", "rps ×triv", "×signed-in", "SQL")]
    rows[0] += ("main SQL ms", "vs HQ", "")
    for r in measured["results"]:
        if r["status"] != 200:
            rows.append((r["page"], r["role_label"], str(r["status"]), *[""] * 9))
            continue
        base = hq.get(r["page"])
        vs_hq = (
            f"{r['p50'] / base['p50']:.2f}×"
            if base and base["status"] == 200 and r["role"] != "hq_admin"
            else ""
        )
        ratio = r["rps"] / trivial["rps"] if trivial["rps"] else float("nan")
        flags = []
        if r["p95"] > TARGET_P95_MS:
            flags.append(f"p95 > {TARGET_P95_MS:g} ms")
        if ratio < TARGET_RPS_RATIO:
            flags.append(f"< {TARGET_RPS_RATIO:g}× trivial")
        if {code for code, n in r["statuses"].items() if n} - {200, "2xx/3xx"}:
            flags.append(f"served {r['statuses']}")
        rows.append(
            (
                r["page"],
                r["role_label"],
                "200",
                f"{r['p50']:.1f}",
                f"{r['p95']:.1f}",
                f"{r['rps']:.1f}",
                f"{ratio:.3f}",
                f"{r['rps'] / signed_in:.3f}" if signed_in else "",
                str(r["queries"]),
                f"{r['ref']:.1f}",
                vs_hq,
                "; ".join(flags),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    # The issue's table: p50 / p95 per page × role, as markdown.
    print("\n| page | " + " | ".join(label for _, label in ROLES) + " |")
    print("|---" * (len(ROLES) + 1) + "|")
    table = [p for p in dict.fromkeys(r["page"] for r in measured["results"])]
    by = {(r["page"], r["role"]): r for r in measured["results"]}
    for page in table:
        cells = []
        for role, _label in ROLES:
            r = by.get((page, role))
            if r is None:
                cells.append("")
            elif r["status"] != 200:
                cells.append(f"({r['status']})")
            else:
                ratio = r["rps"] / trivial["rps"] if trivial["rps"] else float("nan")
                cells.append(f"{r['p50']:.0f} / {r['p95']:.0f} ms, {r['queries']} q, {ratio:.2f}×")
        print(f"| {page} | " + " | ".join(cells) + " |")
    served_rows = [r for r in measured["results"] if r["status"] == 200]
    if served_rows and trivial["rps"] and signed_in:
        slowest = max(served_rows, key=lambda r: r["p95"])
        ratios = [r["rps"] / trivial["rps"] for r in served_rows]
        signed = [r["rps"] / signed_in for r in served_rows]
        print(
            f"\nagainst the targets, {len(served_rows)} page × role pairs: "
            f"p95 ≤ {TARGET_P95_MS:g} ms for "
            f"{sum(r['p95'] <= TARGET_P95_MS for r in served_rows)} (slowest: "
            f"{slowest['page']} as {slowest['role_label']}, {slowest['p95']:.0f} ms); "
            f"≥ {TARGET_RPS_RATIO:g}× the trivial view for "
            f"{sum(x >= TARGET_RPS_RATIO for x in ratios)} ({min(ratios):.2f}–{max(ratios):.2f}×); "
            f"≥ {TARGET_RPS_RATIO:g}× the signed-in trivial view for "
            f"{sum(x >= TARGET_RPS_RATIO for x in signed)} ({min(signed):.2f}–{max(signed):.2f}×)"
        )
    if args.show_sql:
        print("\nmain SQL per page (HQ admin):")
        for page, r in hq.items():
            print(f"- {page}: {r.get('ref_sql', '')[:400]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--applicants", type=int, help="default: people / 50")
    parser.add_argument(
        "--applications", type=int, help="applications in all, in bulk (default: people)"
    )
    parser.add_argument("--institutions", type=int, default=850)
    parser.add_argument("--database", help="database name or URL (default: one per size)")
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "threads"),
        default="auto",
        help="load generator: wrk when installed (auto), or this process's threads",
    )
    parser.add_argument("--seconds", type=float, default=3, help="wrk: seconds per page")
    parser.add_argument("--requests", type=int, default=20, help="threads: timed requests per page")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--concurrency", type=int, default=2, help="client threads or wrk connections"
    )
    parser.add_argument("--port", type=int, default=PORT, help="gunicorn's port on 127.0.0.1")
    parser.add_argument("--table-only", action="store_true", help="only the issue's pages")
    parser.add_argument("--show-sql", action="store_true", help="print each page's main SQL")
    args = parser.parse_args()
    args.use_wrk = args.client == "wrk" or (args.client == "auto" and served.have_wrk())
    url = database_url(args)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        print("bench_pages: psycopg is not installed; skipped.")
        return 0
    problem = ensure_database(url)
    if problem:
        print(f"bench_pages: {problem}; skipped.")
        return 0
    setup_django(url)
    applicants = args.applicants if args.applicants is not None else max(args.people // 50, 50)
    applications = args.applications if args.applications is not None else args.people
    seeded = seed(args.people, applicants, args.institutions, applications)
    report(measure(args, url), args, seeded)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # a benchmark reports, it never fails the run
        import traceback

        traceback.print_exc()
        print(f"bench_pages: stopped: {error!r}")
        sys.exit(0)
