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
