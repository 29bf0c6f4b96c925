import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from entezam.accounts.seed import system_actor
from entezam.core.audit import SEAL_LAG, audit_seal
from entezam.core.registry import DEMO_SEEDS
from entezam.geo.seed import load_provinces


class Command(BaseCommand):
    help = "Load reference data and deterministic demo data (re-running adds nothing twice)."

    def add_arguments(self, parser):
        parser.add_argument("--institutions", type=int, default=850)
        parser.add_argument("--people", type=int, default=0, help="people to register (personnel)")
        parser.add_argument(
            "--applicants", type=int, default=0, help="demo applicants taken through selection"
        )
        parser.add_argument(
            "--applications",
            type=int,
            default=0,
            help="bring the applications up to this many, written in bulk (benchmarks)",
        )
        parser.add_argument("--seed", type=int, default=1404)
        parser.add_argument("--stations-per-county", type=int, default=2)
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="also create one demo user per role, with the published demo password "
            "(never on a database real people use)",
        )
        parser.add_argument(
            "--reference-only",
            action="store_true",
            help="load only the provinces and counties (production)",
        )

    def handle(self, *args, seed, **options):
        if options["reference_only"]:
            with transaction.atomic():
                created = load_provinces()
            self.stdout.write(f"provinces created: {created}")
            return
        rng = random.Random(seed)
        with transaction.atomic():
            actor = system_actor()
        # Each app registered its own steps (`core.registry.register_demo_seed`), in order.
        for step in sorted(DEMO_SEEDS.values()):
            message = import_string(step.function)(actor=actor, rng=rng, options=options)
            if message:
                self.stdout.write(message)
        # Seeding is the only writer now: seal all of it, not just what is older than the lag.
        audit_seal(now=timezone.now() + SEAL_LAG + datetime.timedelta(seconds=1))
        self.stdout.write(self.style.SUCCESS("seed done"))
