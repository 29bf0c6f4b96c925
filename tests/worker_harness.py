"""A real Celery worker for the tests that need one: this process sends tasks to Redis on a
queue of the test's own, a worker process (one of the `tests/<app>/celery_worker.py`
modules) takes them from there and writes to the same PostgreSQL test database.

Needs PostgreSQL (the worker is another process and must see committed rows) and Redis
(ENTEZAM_TEST_REDIS_URL). The SQLite run skips these tests; in the PostgreSQL run a missing
Redis skips them locally and fails them in CI (ENTEZAM_TEST_POSTGRES=required, set by
.ci/run)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery, current_app
from django.db import connection

PROJECT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("ENTEZAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("ENTEZAM_TEST_POSTGRES", "").lower() == "required":
        pytest.fail(f"{reason} (ENTEZAM_TEST_POSTGRES=required)")
    pytest.skip(reason)


def require_services() -> None:
    """Skip (or in CI fail) unless PostgreSQL and Redis are there."""
    if connection.vendor != "postgresql":
        # The SQLite run; `make test` and CI run the suite on PostgreSQL too, where it runs.
        pytest.skip("the worker test needs PostgreSQL (set ENTEZAM_DATABASE_URL)")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        _skip_or_fail(f"Redis does not answer at {REDIS_URL}")


@contextlib.contextmanager
def broker_queue(settings, task: str, name: str):
    """Send `task` to Redis (not eagerly) on a queue of this test's own; yields its name."""
    queue = f"entezam-test-{name}-{uuid.uuid4().hex[:8]}"
    app = Celery(f"entezam-{name}-worker-test", set_as_current=False)
    app.conf.update(
        broker_url=REDIS_URL, task_always_eager=False, task_routes={task: {"queue": queue}}
    )
    previous = current_app._get_current_object()
    app.set_current()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield queue
    finally:
        previous.set_current()
        app.close()
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A worker process running `module` (its own process group: a kill takes its pool
    too), with the test database, Redis, a var directory in `tmp` and `env` besides."""

    def __init__(self, queue: str, tmp: Path, name: str, *, module: str, env: dict):
        self.log = tmp / f"{name}.log"
        full_env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(PROJECT), os.environ.get("PYTHONPATH", "")]),
            "ENTEZAM_DATABASE_URL": database_url(),
            "ENTEZAM_REDIS_URL": REDIS_URL,
            "ENTEZAM_VAR_DIR": str(tmp / "var"),
            "ENTEZAM_SECRET_KEY": "worker-test",
            **env,
        }
        full_env.pop("ENTEZAM_TEST_DB_TEMPLATE", None)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", module, queue],
                cwd=PROJECT,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for(lambda: b" ready." in self.log.read_bytes(), 60, "the worker to start")

    def wait_for(self, condition, seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; worker log:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
