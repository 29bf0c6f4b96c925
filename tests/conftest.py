import pytest

from tests.accounts.factories import user_with_role
from tests.geo.factories import PoliceUnitFactory, ProvinceFactory
from tests.institutions.factories import InstitutionFactory


def pytest_configure(config):
    from django.conf import settings

    # Tests serve static files straight from the finders: no collectstatic manifest needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    # Live-server request threads must not keep connections open past the test run.
    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0
    # Hashing is not under test; the fast hasher keeps fixtures with many users cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WHITENOISE_AUTOREFRESH = True
    # Activating an institution needs its managing director's manager-course certificate;
    # tests/training turns the rule on where it is under test.
    settings.TRAINING_MANAGER_CERTIFICATE_REQUIRED = False
    # The audit key of the test run, outside the project's var/ (and any other run's).
    import tempfile
    from pathlib import Path

    settings.AUDIT_KEY_FILE = Path(tempfile.mkdtemp(prefix="entezam-audit-")) / "audit_keys"
    settings.CREDENTIAL_SIGNING_KEY_FILE = (
        Path(tempfile.mkdtemp(prefix="entezam-cards-")) / "credential_signing_key"
    )


@pytest.fixture(autouse=True)
def _audit_anchor(settings, tmp_path):
    # Each test's database starts empty; so does its anchor log.
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchor.log"


@pytest.fixture(autouse=True)
def _clear_cache():
    # API throttle counters and job progress live in the cache; each test starts clean.
    # (Sign-in lockout counters live in django-axes' tables, emptied with the test database.)
    from django.core.cache import cache

    from entezam.credentials.verification import forget_checks

    cache.clear()
    forget_checks()  # the checks and counts this process has not pushed to Redis yet
    yield
    cache.clear()
    forget_checks()


@pytest.fixture
def world(db):
    """Two provinces, an active institution under each of their stations (two in A, one in
    B), and a user per role (`tests.permissions.ROLES` names them).

    `A` is the home scope of every scoped user; `B` is the foreign scope.
    """
    province_a = ProvinceFactory(code="23", name="تهران", name_en="Tehran")
    province_b = ProvinceFactory(code="10", name="اصفهان", name_en="Isfahan")
    station_a = PoliceUnitFactory(province=province_a, name="کلانتری ۱۰۱ تهران")
    station_a2 = PoliceUnitFactory(province=province_a, name="کلانتری ۱۰۲ تهران")
    station_b = PoliceUnitFactory(province=province_b, name="کلانتری ۱۲ اصفهان")
    inst_a = InstitutionFactory(supervising_unit=station_a, name="موسسه حفاظتی امین")
    inst_a2 = InstitutionFactory(supervising_unit=station_a2, name="موسسه حفاظتی آرمان")
    inst_b = InstitutionFactory(supervising_unit=station_b, name="موسسه حفاظتی سپاهان")

    class World:
        pass

    w = World()
    w.province_a, w.province_b = province_a, province_b
    w.station_a, w.station_a2, w.station_b = station_a, station_a2, station_b
    w.inst_a, w.inst_a2, w.inst_b = inst_a, inst_a2, inst_b
    w.hq_admin = user_with_role("hq_admin", username="hq")
    w.hq_analyst = user_with_role("hq_analyst", username="analyst")
    w.province_officer = user_with_role("province_officer", province_a, username="prov")
    w.station_officer = user_with_role("station_officer", station_a, username="station")
    w.manager = user_with_role("institution_manager", inst_a, username="manager")
    w.operator = user_with_role("center_operator", username="operator")
    w.trainer = user_with_role("trainer", username="trainer")
    return w


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Live-server worker threads may still hold a PostgreSQL session when the run ends;
    end them so the test database can be dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
