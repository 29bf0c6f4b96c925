"""Public checks with Redis behind the cache, as in production: a check is pushed onto a
Redis list on the request path and stored in bulk by the periodic round; a store repeated
after a crash adds nothing; junk on the list is dropped without blocking it; the rate limit
counts in Redis with one window per address.

Needs Redis (ENTEZAM_TEST_REDIS_URL): a missing Redis skips locally and fails in CI
(ENTEZAM_TEST_POSTGRES=required, set by .ci/run). Each test has its own key prefix and
removes only its own keys (never FLUSHDB: other test processes share the database)."""

from __future__ import annotations

import datetime
import os
import uuid

import pytest
from django.test import override_settings
from django.utils import timezone

from entezam.core.counters import count_hit, redis_client
from entezam.core.periodic import run_round
from entezam.credentials import services
from entezam.credentials.models import VerificationCheck
from entezam.credentials.verification import (
    CHECK_BUFFER,
    CHECK_DRAIN_LOCK,
    PUSH_BATCH,
    drain_checks,
    push_checks,
)
from entezam.institutions.services import institution_suspend
from entezam.personnel.models import Employment
from tests.permissions import api
from tests.training.conftest import approved_applicant
from tests.training.factories import CertificateFactory, CourseFactory

pytestmark = pytest.mark.django_db
REDIS_URL = os.environ.get("ENTEZAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("ENTEZAM_TEST_POSTGRES", "").lower() == "required":
            pytest.fail(f"Redis does not answer at {REDIS_URL} (ENTEZAM_TEST_POSTGRES=required)")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    prefix = f"entezam-test-{uuid.uuid4().hex[:10]}"
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    # No push falls due by the clock inside a test (a slow machine would make it vary); the
    # interval's own test sets it.
    with override_settings(CACHES=caches, CREDENTIAL_CHECK_PUSH_SECONDS=3600):
        client = redis_client()
        assert client is not None
        yield client
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@pytest.fixture
def carded(world):
    course = CourseFactory(code="GRD-1", mandatory_for=["guard"])
    person = approved_applicant(world.inst_a)
    CertificateFactory(
        person=person,
        course=course,
        expires_on=timezone.localdate() + datetime.timedelta(days=200),
    )
    employment = Employment.objects.get(person=person)
    return services.card_issue(actor=world.manager, employment=employment)


def buffered(client) -> int:
    from django.core.cache import cache

    return client.llen(cache.make_key(CHECK_BUFFER))


def test_a_check_is_buffered_then_stored_by_the_periodic_round(client, redis_cache, carded):
    response = client.get(f"/v/{carded.token}", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200 and 'data-result="active"' in response.content.decode()
    client.get("/v/nonexistent-token-0000000000", REMOTE_ADDR="203.0.113.9")
    api().get(f"/api/v1/public/verify/{carded.token}", REMOTE_ADDR="203.0.113.10")
    # On the request path nothing is written to the database; the process keeps its checks
    # until its next push (a second, or a batch), which puts them on the Redis list.
    assert not VerificationCheck.objects.exists()
    assert buffered(redis_cache) == 0
    assert push_checks() == 3
    assert buffered(redis_cache) == 3
    run_round(force=True)
    checks = list(VerificationCheck.objects.order_by("time", "id"))
    assert [(c.result, c.channel) for c in checks] == [
        ("active", "page"),
        ("unknown", "page"),
        ("active", "api"),
    ]
    assert checks[0].card == carded and checks[1].card is None
    assert checks[0].ip_hash == checks[1].ip_hash != checks[2].ip_hash
    assert "203.0.113.9" not in checks[0].ip_hash and len(checks[0].ip_hash) == 64
    assert buffered(redis_cache) == 0


def test_the_answer_follows_the_cause_before_any_reconcile(client, redis_cache, world, carded):
    institution_suspend(actor=world.hq_admin, institution=world.inst_a, reason="گزارش بازرسی")
    page = client.get(f"/v/{carded.token}").content.decode()
    assert 'data-result="suspended"' in page
    drain_checks()
    assert VerificationCheck.objects.get().result == "suspended"


def test_a_store_repeated_after_a_crash_adds_nothing(client, redis_cache, carded):
    from django.core.cache import cache

    for _ in range(3):
        client.get(f"/v/{carded.token}")
    push_checks()
    key = cache.make_key(CHECK_BUFFER)
    pending = redis_cache.lrange(key, 0, -1)
    assert drain_checks() == 3
    # A crash after the store but before the list was trimmed leaves the batch on the list.
    redis_cache.rpush(key, *pending)
    drain_checks()
    assert VerificationCheck.objects.count() == 3


def test_junk_on_the_list_is_dropped_without_blocking_it(client, redis_cache, carded):
    from django.core.cache import cache

    key = cache.make_key(CHECK_BUFFER)
    redis_cache.rpush(key, b"not json", b'["short"]', b'["zz", "x", 1, "active", "h", "page"]')
    client.get(f"/v/{carded.token}")
    drain_checks()
    assert list(VerificationCheck.objects.values_list("result", flat=True)) == ["active"]
    assert buffered(redis_cache) == 0


def test_a_running_store_is_not_joined_by_a_second(client, redis_cache, carded):
    from django.core.cache import cache

    client.get(f"/v/{carded.token}")
    lock = redis_cache.lock(cache.make_key(CHECK_DRAIN_LOCK), timeout=60)
    assert lock.acquire(blocking=False)
    try:
        assert drain_checks() == 0
        assert buffered(redis_cache) == 1  # pushed by the drain, not stored
    finally:
        lock.release()
    assert drain_checks() == 1


def test_the_rate_limit_counts_in_redis_per_address(client, redis_cache, carded, settings):
    settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE = 3
    seen = [
        client.get(f"/v/{carded.token}", REMOTE_ADDR="198.51.100.7").status_code for _ in range(5)
    ]
    assert seen == [200, 200, 200, 429, 429]
    assert client.get(f"/v/{carded.token}", REMOTE_ADDR="198.51.100.8").status_code == 200
    # Refused checks are not recorded.
    drain_checks()
    assert VerificationCheck.objects.count() == 4


def test_an_address_over_the_limit_costs_no_lookup(
    client, redis_cache, carded, settings, django_assert_num_queries
):
    settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE = 1
    assert client.get(f"/v/{carded.token}", REMOTE_ADDR="198.51.100.9").status_code == 200
    assert client.get(f"/v/{carded.token}", REMOTE_ADDR="198.51.100.9").status_code == 429
    # This process has seen the address over its limit: the rest of the minute is refused
    # without touching the database (a flood cannot turn into lookups).
    with django_assert_num_queries(0):
        response = client.get(f"/v/{carded.token}", REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429 and 'data-result="limited"' in response.content.decode()
    settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE = 100
    assert client.get(f"/v/{carded.token}", REMOTE_ADDR="198.51.100.9").status_code == 200


def test_a_counted_window_ends(redis_cache):
    from django.core.cache import cache

    assert [count_hit("window-test", 30) for _ in range(3)] == [1, 2, 3]
    assert cache.get("window-test") == 3  # readable as the cache's own value (sign-in waits)
    ttl = redis_cache.ttl(cache.make_key("window-test"))
    assert 0 < ttl <= 30


def test_a_batch_of_checks_is_pushed_without_waiting(client, redis_cache, carded, settings):
    settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE = 10 * PUSH_BATCH
    for _ in range(PUSH_BATCH):
        client.get(f"/v/{carded.token}")
    assert buffered(redis_cache) == PUSH_BATCH
    client.get(f"/v/{carded.token}")
    assert buffered(redis_cache) == PUSH_BATCH  # the next one waits for the next push


def test_checks_older_than_the_push_interval_go_with_the_next_check(
    client, redis_cache, carded, monkeypatch, settings
):
    from entezam.credentials import verification

    settings.CREDENTIAL_CHECK_PUSH_SECONDS = 1
    verification.forget_checks()
    client.get(f"/v/{carded.token}")
    assert buffered(redis_cache) == 0
    monkeypatch.setattr(verification._PENDING, "pushed_at", verification._PENDING.pushed_at - 2)
    client.get(f"/v/{carded.token}")
    assert buffered(redis_cache) == 2


def test_other_processes_counts_reach_the_limit_at_the_next_push(
    client, redis_cache, carded, settings
):
    from django.core.cache import cache

    from entezam.credentials.verification import _rate_key, _window, ip_hash

    settings.CREDENTIAL_VERIFY_RATE_PER_MINUTE = 5
    address = "198.51.100.20"
    assert client.get(f"/v/{carded.token}", REMOTE_ADDR=address).status_code == 200
    # Another worker counted four checks of this address in this window and pushed them.
    redis_cache.incrby(cache.make_key(_rate_key(ip_hash(address), _window())), 4)
    # Until this process pushes, it knows only its own one check.
    assert client.get(f"/v/{carded.token}", REMOTE_ADDR=address).status_code == 200
    push_checks()  # its total is now 1 + 4 + 1: over the limit of 5
    assert client.get(f"/v/{carded.token}", REMOTE_ADDR=address).status_code == 429
    assert client.get(f"/v/{carded.token}", REMOTE_ADDR="198.51.100.21").status_code == 200
