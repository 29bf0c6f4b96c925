"""Reading the record of public checks: counts per day and result for the cards in the
reader's scope, and, for national readers, the addresses that check most (abuse)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from entezam.core.scoping import ALL, scope_condition

from .choices import CheckResult
from .models import VerificationCheck

# Results shown as columns, in the order of the page (limited checks are not recorded).
RESULTS = [r for r in CheckResult if r != CheckResult.LIMITED]
BUSIEST_ADDRESSES = 10


@dataclass
class CheckStatistics:
    days: list[dict] = field(default_factory=list)  # {"date", "total", <result>: n}
    totals: dict[str, int] = field(default_factory=dict)
    total: int = 0
    busiest: list[dict] = field(default_factory=list)  # national readers only
    national: bool = False


def check_statistics(*, user, days: int = 30, today: datetime.date | None = None):
    """The checks of the last `days` days the user may read (None: may read none)."""
    condition = scope_condition(user, VerificationCheck, "view")
    if condition is None:
        return None
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    checks = VerificationCheck.objects.visible_to(user).filter(time__gte=start)
    per_day = (
        checks.annotate(day=TruncDate("time", tzinfo=timezone.get_current_timezone()))
        .values("day", "result")
        .annotate(n=Count("id"))
    )
    counts: dict[datetime.date, dict[str, int]] = {}
    for row in per_day:
        counts.setdefault(row["day"], {})[row["result"]] = row["n"]
    stats = CheckStatistics(national=condition is ALL)
    for offset in range(days):
        date = first + datetime.timedelta(days=offset)
        found = counts.get(date, {})
        stats.days.append(
            {
                "date": date,
                "total": sum(found.values()),
                **{r.value: found.get(r, 0) for r in RESULTS},
            }
        )
    stats.totals = {r.value: sum(d[r.value] for d in stats.days) for r in RESULTS}
    stats.total = sum(stats.totals.values())
    if stats.national:
        since = timezone.now() - datetime.timedelta(hours=24)
        stats.busiest = list(
            VerificationCheck.objects.filter(time__gte=since)
            .values("ip_hash")
            .annotate(
                checks=Count("id"),
                cards=Count("card", distinct=True),
                unknown=Count("id", filter=Q(result=CheckResult.UNKNOWN)),
            )
            .order_by("-checks", "ip_hash")[:BUSIEST_ADDRESSES]
        )
    return stats
