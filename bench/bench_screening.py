"""Bulk screening of N applications vs a per-application ORM loop (ratios, never pass/fail).

    .venv/bin/python bench/bench_screening.py --applications 100000
    .venv/bin/python bench/bench_screening.py --applications 200      # CI smoke run, seconds

Database: a throwaway PostgreSQL database next to `ENTEZAM_BENCH_DATABASE_URL` when it is
set (created from the template `entezam_test_template` when it exists, dropped at the
end), otherwise a temporary SQLite file. N people with a realistic mix of facts
(background checks, medical certificates, employments, revocations) and N submitted
GUARD applications are bulk-created, then:

* bulk: `vetting.services.applications_screen` over all N (set-based, chunked);
* loop: a naive reference implementation that, for each application, queries each fact
  separately and saves every rule result, step and status one by one — run on a sample
  (min(N, 2000) by default) and extrapolated to N.

Before any ratio, the two are checked against each other: the loop re-screens the sampled
applications the bulk run screened, and every status and every rule outcome must match
(the loop implements the documented rule table of docs/architecture.md on its own, so a
difference is a bug on one side). When they differ, the disagreements are printed instead
of a ratio.

Exit status is always 0: problems are reported, not failed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse, urlunparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The test factories (`tests.*`) build the benchmarks' data.
sys.path.insert(0, str(PROJECT_ROOT))

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "entezam_test_template"
TARGET_RATIO = 20.0


def throwaway_postgres(url: str) -> tuple[str, callable] | tuple[None, str]:
    """Create a fresh database beside `url`; returns (its url, drop function)."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    # Named after the given database, so that runs sharing a server keep to their own names.
    name = f"{parsed.path.lstrip('/') or 'entezam_bench'}_screening_{uuid.uuid4().hex[:8]}"
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
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
        return None, f"PostgreSQL is not reachable at {admin_url}: {error}"

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))

    return urlunparse(parsed._replace(path=f"/{name}")), drop


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["ENTEZAM_DATABASE_URL"] = url
    os.environ.setdefault("ENTEZAM_VAR_DIR", tempfile.mkdtemp(prefix="entezam-bench-var-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entezam.config.settings")
    import django

    django.setup()


def national_code(n: int) -> str:
    body = f"{n:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(body))
    remainder = total % 11
    return body + str(remainder if remainder < 2 else 11 - remainder)


def build_data(count: int, seed: int = 1404):
    """Bulk-create reference data, N people with their facts and N applications."""
    from django.utils import timezone

    from entezam.accounts.seed import system_actor
    from entezam.geo.models import PoliceUnit, Province
    from entezam.institutions.models import Institution
    from entezam.personnel.models import Employment, Person, search_key
    from entezam.vetting.models import (
        Application,
        ApplicationStep,
        BackgroundCheck,
        MedicalCertificate,
        Standard,
    )
    from entezam.vetting.seed import seed_standards

    rng = random.Random(seed)
    today = timezone.localdate()
    actor = system_actor()
    seed_standards(actor=actor)
    guard = Standard.objects.get(code="GUARD", status="active")
    province = Province.objects.create(code="23", name="تهران", name_en="Tehran")
    command = PoliceUnit.objects.create(
        code="P23", name="فرماندهی", kind="provincial_command", province=province
    )
    institutions = []
    for i in range(50):
        unit = PoliceUnit.objects.create(
            code=f"S{i:04d}", name=f"کلانتری {i}", kind="station", province=province, parent=command
        )
        institutions.append(
            Institution.objects.create(
                registration_number=f"{60000 + i}",
                name=f"موسسه حفاظتی {i}",
                province=province,
                supervising_unit=unit,
                managing_director="مدیر",
                status="active",
                licence_number=f"L-{i:05d}",
                licence_issued_on=today - datetime.timedelta(days=300),
                licence_expires_on=today + datetime.timedelta(days=400),
                authorised_headcount=count,
            )
        )
    educations = ["below_diploma", "diploma", "diploma", "associate", "bachelor", "master"]
    services = ["completed", "completed", "exempt", "liable", ""]
    people = []
    for n in range(1, count + 1):
        gender = "male" if rng.random() < 0.85 else "female"
        first, last = rng.choice(["علی", "رضا", "مریم", "زهرا"]), rng.choice(["کریمی", "نادری"])
        people.append(
            Person(
                national_code=national_code(n),
                first_name=first,
                last_name=last,
                birth_date=today - datetime.timedelta(days=rng.randint(18 * 365, 50 * 365)),
                gender=gender,
                education=rng.choice(educations),
                military_service=rng.choice(services) if gender == "male" else "",
                search_name=search_key(first, last),
            )
        )
    people = Person.objects.bulk_create(people, batch_size=5000)
    checks, certificates, employments = [], [], []
    for person in people:
        roll = rng.random()
        if roll < 0.95:
            result = "clear" if roll < 0.8 else ("pending" if roll < 0.9 else "disqualifying")
            checks.append(
                BackgroundCheck(
                    person=person,
                    provider="file",
                    result=result,
                    reference=f"B-{person.pk}",
                    checked_on=today - datetime.timedelta(days=rng.randint(0, 400)),
                )
            )
        if rng.random() < 0.9:
            valid_until = today + datetime.timedelta(days=rng.randint(-60, 700))
            certificates.append(
                MedicalCertificate(
                    person=person,
                    fit=rng.random() < 0.97,
                    issued_on=valid_until - datetime.timedelta(days=365),
                    valid_until=valid_until,
                )
            )
        roll = rng.random()
        if roll < 0.1:
            employments.append(
                Employment(
                    person=person,
                    institution=rng.choice(institutions),
                    position="guard",
                    start_date=today - datetime.timedelta(days=500),
                )
            )
        elif roll < 0.13:
            employments.append(
                Employment(
                    person=person,
                    institution=rng.choice(institutions),
                    position="guard",
                    start_date=today - datetime.timedelta(days=4000),
                    end_date=today - datetime.timedelta(days=rng.randint(100, 3000)),
                    end_reason="revoked",
                )
            )
    BackgroundCheck.objects.bulk_create(checks, batch_size=5000)
    MedicalCertificate.objects.bulk_create(certificates, batch_size=5000)
    Employment.objects.bulk_create(employments, batch_size=5000)
    now = timezone.now()
    applications = Application.objects.bulk_create(
        (
            Application(
                person=person,
                institution=rng.choice(institutions),
                position="guard",
                standard=guard,
                submitted_at=now,
                status_changed_at=now,
            )
            for person in people
        ),
        batch_size=5000,
    )
    ApplicationStep.objects.bulk_create(
        (ApplicationStep(application=a, to_status="submitted", at=now) for a in applications),
        batch_size=5000,
    )
    return actor, [a.pk for a in applications]


def naive_screen(actor, application_ids) -> None:
    """The per-application ORM loop the bulk screening replaces (reference only)."""
    from django.db import transaction
    from django.utils import timezone

    from entezam.personnel.choices import EDUCATION_RANK, RESOLVED_MILITARY_SERVICE
    from entezam.personnel.models import Employment
    from entezam.vetting.models import (
        Application,
        ApplicationStep,
        BackgroundCheck,
        MedicalCertificate,
        RuleResult,
    )
    from entezam.vetting.rules import age_on, years_before

    today = timezone.localdate()
    with transaction.atomic():
        for pk in application_ids:
            app = Application.objects.select_related("person", "standard").get(pk=pk)
            person = app.person
            RuleResult.objects.filter(application=app).delete()
            outcomes = []
            for rule in app.standard.rules.all():
                p = rule.params
                if rule.kind == "age_range":
                    age = age_on(person.birth_date, today)
                    outcome = "pass" if p["min"] <= age <= p["max"] else "fail"
                elif rule.kind == "min_education":
                    ok = EDUCATION_RANK[person.education] >= EDUCATION_RANK[p["level"]]
                    outcome = "pass" if ok else "fail"
                elif rule.kind == "military_service":
                    if person.gender != "male" or person.military_service in (
                        RESOLVED_MILITARY_SERVICE
                    ):
                        outcome = "pass"
                    else:
                        outcome = "review" if not person.military_service else "fail"
                elif rule.kind == "background_check":
                    check = (
                        BackgroundCheck.objects.filter(person=person)
                        .order_by("-checked_on", "-id")
                        .first()
                    )
                    if check is None or check.result == "pending":
                        outcome = "review"
                    elif check.result == "disqualifying":
                        outcome = "fail"
                    elif (today - check.checked_on).days > p["valid_days"]:
                        outcome = "review"  # clear, but older than the standard accepts
                    else:
                        outcome = "pass"
                elif rule.kind == "medical_fitness":
                    cert = (
                        MedicalCertificate.objects.filter(person=person)
                        .order_by("-issued_on", "-id")
                        .first()
                    )
                    outcome = (
                        "review"
                        if cert is None
                        else ("pass" if cert.fit and cert.valid_until >= today else "fail")
                    )
                elif rule.kind == "not_employed_elsewhere":
                    busy = (
                        Employment.objects.filter(person=person, end_date__isnull=True)
                        .exclude(institution_id=app.institution_id)
                        .exists()
                    )
                    outcome = "fail" if busy else "pass"
                else:
                    revoked = Employment.objects.filter(
                        person=person,
                        end_reason="revoked",
                        end_date__gt=years_before(today, p["years"]),
                    ).exists()
                    outcome = "fail" if revoked else "pass"
                RuleResult(application=app, rule=rule, kind=rule.kind, outcome=outcome).save()
                outcomes.append((rule.kind, outcome))
            if any(o == "fail" for _k, o in outcomes):
                target = "rejected"
            elif any(o == "review" and k != "background_check" for k, o in outcomes):
                target = "screening"
            elif any(o == "review" for _k, o in outcomes):
                target = "background_check"
            else:
                target = "interview"
            ApplicationStep(application=app, from_status=app.status, to_status=target).save()
            app.status = target
            app.status_changed_at = timezone.now()
            app.save()


Outcome = tuple[str, dict[str, str]]  # (status, {rule kind: outcome})


def outcomes_of(application_ids) -> dict[int, Outcome]:
    """Each application's status and the outcome of each of its rules, as stored."""
    from entezam.vetting.models import Application, RuleResult

    rules: dict[int, dict[str, str]] = {pk: {} for pk in application_ids}
    for pk, kind, outcome in RuleResult.objects.filter(
        application_id__in=application_ids
    ).values_list("application_id", "kind", "outcome"):
        rules[pk][kind] = outcome
    statuses = dict(Application.objects.filter(pk__in=application_ids).values_list("pk", "status"))
    return {pk: (statuses[pk], rules[pk]) for pk in application_ids}


def compare(bulk: dict[int, Outcome], loop: dict[int, Outcome]) -> list[tuple]:
    """(application id, bulk status, loop status, rules that differ) where the two differ."""
    found = []
    for pk, (bulk_status, bulk_rules) in sorted(bulk.items()):
        loop_status, loop_rules = loop[pk]
        rules = {
            kind: (bulk_rules.get(kind, "—"), loop_rules.get(kind, "—"))
            for kind in sorted(bulk_rules.keys() | loop_rules.keys())
            if bulk_rules.get(kind) != loop_rules.get(kind)
        }
        if bulk_status != loop_status or rules:
            found.append((pk, bulk_status, loop_status, rules))
    return found


def print_disagreements(disagreements: list[tuple], sample_size: int, shown: int = 20) -> None:
    """No ratio is worth printing between two paths that reach different results."""
    print(
        f"DISAGREEMENT: the loop and the bulk path differ on {len(disagreements):,} of "
        f"{sample_size:,} sampled applications (on the status of "
        f"{sum(b != lo for _pk, b, lo, _r in disagreements):,}); no speed comparison is printed."
    )
    by_rule = Counter(
        f"{kind}: bulk {b} / loop {lo}"
        for _pk, _bs, _ls, rules in disagreements
        for kind, (b, lo) in rules.items()
    )
    for line, number in by_rule.most_common():
        print(f"  {number:>6,}  {line}")
    print()
    print(f"{'application':>12}  {'bulk status':<18}{'loop status':<18}rules that differ")
    for pk, bulk_status, loop_status, rules in disagreements[:shown]:
        detail = ", ".join(f"{kind} {b}/{lo}" for kind, (b, lo) in rules.items())
        print(f"{pk:>12}  {bulk_status:<18}{loop_status:<18}{detail}")
    if len(disagreements) > shown:
        print(f"{'':>12}  … and {len(disagreements) - shown:,} more")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2000, help="applications in the ORM loop")
    args = parser.parse_args()
    count = max(args.applications, 10)
    sample_size = min(count, args.sample)

    drop = None
    pg_url = os.environ.get("ENTEZAM_BENCH_DATABASE_URL")
    if pg_url:
        url, drop_or_error = throwaway_postgres(pg_url)
        if url is None:
            print(f"skipped: {drop_or_error}")
            return 0
        drop = drop_or_error
        backend = "PostgreSQL"
    else:
        path = Path(tempfile.mkdtemp(prefix="entezam-bench-")) / "bench.sqlite3"
        url = f"sqlite:///{path}"
        backend = "SQLite"
    try:
        setup_django(url)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        actor, ids = build_data(count)
        setup_seconds = time.perf_counter() - started

        from entezam.vetting.models import Application
        from entezam.vetting.services import applications_screen

        started = time.perf_counter()
        report = applications_screen(actor=actor)
        bulk_seconds = time.perf_counter() - started
        totals = report.totals()

        sample = random.Random(7).sample(ids, sample_size)
        bulk_outcome = outcomes_of(sample)
        Application.objects.filter(pk__in=sample).update(status="submitted", needs_review=False)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        started = time.perf_counter()
        naive_screen(actor, sample)
        loop_sample_seconds = time.perf_counter() - started
        loop_per_app = loop_sample_seconds / sample_size
        loop_seconds = loop_per_app * count
        ratio = loop_seconds / bulk_seconds if bulk_seconds else float("inf")
        disagreements = compare(bulk_outcome, outcomes_of(sample))

        print(f"bulk screening benchmark — {backend}, {count:,} applications")
        print(f"data set up in {setup_seconds:.1f} s; outcomes: {totals}")
        print()
        if disagreements:
            print_disagreements(disagreements, sample_size)
            return 0
        print(
            f"the loop and the bulk path agree on the status and every rule outcome of all "
            f"{sample_size:,} sampled applications"
        )
        print()
        print(f"{'path':<44}{'seconds':>12}{'per application':>18}")
        print(
            f"{'bulk applications_screen (all)':<44}{bulk_seconds:>12.2f}"
            f"{bulk_seconds / count * 1e3:>15.3f} ms"
        )
        print(
            f"{f'per-application ORM loop ({sample_size:,} sampled)':<44}"
            f"{loop_sample_seconds:>12.2f}{loop_per_app * 1e3:>15.3f} ms"
        )
        print(f"{'per-application ORM loop (extrapolated)':<44}{loop_seconds:>12.2f}")
        print()
        verdict = "meets" if ratio >= TARGET_RATIO else "below"
        print(f"ratio loop/bulk: {ratio:.1f}× (target ≥ {TARGET_RATIO:.0f}×: {verdict})")
    except Exception as error:  # a benchmark reports, it never fails the build
        print(f"benchmark error: {type(error).__name__}: {error}")
    finally:
        if drop is not None:
            try:
                drop()
            except Exception as error:  # the database may already be gone
                print(f"could not drop the throwaway database: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
