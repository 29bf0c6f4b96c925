"""Accounts with the published demo password exist only where a demo was asked for."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from entezam.accounts.models import User
from entezam.demo.users import DEMO_PASSWORD


@pytest.mark.django_db
def test_a_plain_seed_creates_no_account_with_the_published_password():
    out = io.StringIO()
    call_command("seed", institutions=12, seed=7, stdout=out)
    assert "not created" in out.getvalue()
    assert not any(user.check_password(DEMO_PASSWORD) for user in User.objects.all())


@pytest.mark.django_db
def test_seed_with_demo_users_creates_one_per_role():
    call_command("seed", institutions=12, seed=7, demo_users=True, stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    assert admin.check_password(DEMO_PASSWORD)
    assert User.objects.filter(username__in=["manager", "station", "tehran"]).count() == 3


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="runs in the PostgreSQL pass: the demo refuses server databases, never its own SQLite",
)
def test_the_demo_refuses_a_server_database_unless_told():
    with pytest.raises(CommandError, match="--on-this-database"):
        call_command("demo", no_serve=True, stdout=io.StringIO())
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_seed_without_institutions_still_creates_the_unscoped_demo_users():
    call_command("seed", institutions=0, seed=7, demo_users=True, stdout=io.StringIO())
    assert User.objects.filter(username__in=["admin", "analyst", "operator"]).count() == 3
    assert not User.objects.filter(username="manager").exists()
