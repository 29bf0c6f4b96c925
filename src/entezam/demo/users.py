"""One demo user per role, each scoped to the demo's Tehran province, station and institution."""

from __future__ import annotations

from entezam.accounts.choices import Role
from entezam.accounts.models import User
from entezam.accounts.services import role_assign, user_create
from entezam.geo.models import PoliceUnit, Province
from entezam.institutions.models import Institution

DEMO_PASSWORD = "Entezam-1404"


def demo_users() -> list[tuple[str, str, str]]:
    """Create (or keep) one user per role; returns (username, password, description)."""
    tehran = Province.objects.get(code="23")
    # A Tehran station supervising an active institution; with a small seed, any station
    # that does (and its province); with none, the scoped users are left out.
    stations = PoliceUnit.objects.filter(
        kind="station", supervised_institutions__status="active"
    ).order_by("code")
    station = stations.filter(province=tehran).first() or stations.first()
    institution = (
        Institution.objects.filter(supervising_unit=station, status="active").order_by("pk").first()
        if station
        else None
    )
    province = station.province if station else tehran
    plan = [
        ("admin", "مدیر ستاد", Role.HQ_ADMIN, {}),
        ("analyst", "کارشناس ستاد", Role.HQ_ANALYST, {}),
        ("tehran", f"افسر استان {province.name}", Role.PROVINCE_OFFICER, {"province": province}),
    ]
    if station and institution:
        plan += [
            ("station", f"فرمانده {station.name}", Role.STATION_OFFICER, {"police_unit": station}),
            (
                "manager",
                f"مدیر {institution.name}",
                Role.INSTITUTION_MANAGER,
                {"institution": institution},
            ),
        ]
    plan += [
        ("operator", "اپراتور مرکز ۱۹۷", Role.CENTER_OPERATOR, {}),
        ("trainer", "مربی آموزش", Role.TRAINER, {}),
    ]
    rows = []
    for username, display_name, role, scope in plan:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None, username=username, password=DEMO_PASSWORD, display_name=display_name
            )
        role_assign(actor=None, user=user, role=role, **scope)
        target = next(iter(scope.values()), None)
        rows.append(
            (username, DEMO_PASSWORD, f"{Role(role).label}" + (f" — {target}" if target else ""))
        )
    return rows


def demo_seed(*, actor, rng, options) -> str:
    """Demo step: the demo users, once police units and institutions exist (so the steps of
    later apps can address them). Only when asked (`seed --demo-users`, or `entezam demo`):
    their password is published, so a plain `seed` never creates an account anyone knows."""
    if not options.get("demo_users"):
        return "demo users: not created (seed --demo-users creates them)"
    return f"demo users: {len(demo_users())}"
