import random

from django.core.management.base import BaseCommand
from django.db import transaction

from entezam.accounts.seed import system_actor
from entezam.core.audit import audit_seal
from entezam.geo.seed import load_provinces, seed_police_units
from entezam.institutions.seed import seed_institutions
from entezam.personnel.seed import seed_people
from entezam.vetting.seed import seed_applications, seed_standards


class Command(BaseCommand):
    help = "Load reference data and deterministic demo data (re-running adds nothing twice)."

    def add_arguments(self, parser):
        parser.add_argument("--institutions", type=int, default=850)
        parser.add_argument("--people", type=int, default=0, help="people to register (personnel)")
        parser.add_argument(
            "--applicants", type=int, default=0, help="demo applicants taken through selection"
        )
        parser.add_argument("--seed", type=int, default=1404)
        parser.add_argument("--stations-per-county", type=int, default=2)
        parser.add_argument(
            "--reference-only",
            action="store_true",
            help="load only the provinces and counties (production)",
        )

    def handle(self, *args, institutions, people, seed, stations_per_county, **options):
        rng = random.Random(seed)
        if options["reference_only"]:
            with transaction.atomic():
                created = load_provinces()
            self.stdout.write(f"provinces created: {created}")
            return
        with transaction.atomic():
            load_provinces()
            actor = system_actor()
            units = seed_police_units(actor=actor, stations_per_county=stations_per_county)
            seed_standards(actor=actor)
        self.stdout.write(f"police units created: {units}")
        with transaction.atomic():
            created = seed_institutions(actor=actor, count=institutions, rng=rng)
        self.stdout.write(f"institutions created: {created}")
        if people:
            self.stdout.write(f"people created: {seed_people(actor=actor, count=people, rng=rng)}")
        if options["applicants"]:
            applicants = seed_applications(actor=actor, count=options["applicants"], rng=rng)
            self.stdout.write(f"applicants created: {applicants}")
        audit_seal(now=_after_now())
        self.stdout.write(self.style.SUCCESS("seed done"))


def _after_now():
    import datetime

    from django.utils import timezone

    from entezam.core.audit import SEAL_LAG

    # Seeding is the only writer now: seal all of it, not just what is older than the lag.
    return timezone.now() + SEAL_LAG + datetime.timedelta(seconds=1)
