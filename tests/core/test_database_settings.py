"""The app's PostgreSQL connections run without parallel workers (pages read a page of
rows; starting workers for them only adds latency) and price random reads as on SSD,
unless the deployment asks otherwise."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_pages_query_without_parallel_workers():
    if connection.vendor != "postgresql":
        # SQLite has no parallel query: the option is PostgreSQL's alone.
        assert "options" not in connection.settings_dict.get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
        # Random reads priced as on SSD, so scoped lists start from the rows in scope.
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 1.1


def _settings_with(**env) -> dict:
    """The settings module's values under `env` (a fresh interpreter: it reads env once)."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, entezam.config.settings as s; "
        "print(json.dumps({'session': s.SESSION_ENGINE, "
        "'prepare': s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold')}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ENTEZAM_")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.django_db(databases=[])
def test_sessions_are_read_from_redis_when_there_is_one_and_kept_in_the_database():
    assert _settings_with()["session"] == "django.contrib.sessions.backends.db"
    with_redis = _settings_with(ENTEZAM_REDIS_URL="redis://127.0.0.1:6379/15")
    assert with_redis["session"] == "django.contrib.sessions.backends.cached_db"


@pytest.mark.django_db(databases=[])
def test_the_prepare_threshold_is_a_setting():
    url = "postgres://postgres@127.0.0.1:5432/entezam"
    assert _settings_with(ENTEZAM_DATABASE_URL=url)["prepare"] == 2**31 - 1
    lowered = _settings_with(ENTEZAM_DATABASE_URL=url, ENTEZAM_DB_PREPARE_THRESHOLD="5")
    assert lowered["prepare"] == 5
