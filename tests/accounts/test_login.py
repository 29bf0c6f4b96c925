"""Signing in, the lockout after repeated failures, API tokens and role assignment."""

import os
import uuid
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.test import override_settings
from django.utils import translation
from django.utils.html import escape

from entezam.accounts.forms import LockoutAuthenticationForm
from entezam.accounts.models import RoleAssignment
from entezam.accounts.services import api_token_issue, role_assign, user_create
from entezam.core.models import AuditEvent
from entezam.core.persian import to_persian_digits
from tests.accounts.factories import UserFactory

PASSWORD = "pw-Entezam-1404"
LOGIN_URL = "/accounts/login/"


def _locked_message() -> str:
    # Numbers in a Persian message are written in Persian digits.
    with translation.override("fa"):
        message = LockoutAuthenticationForm.error_messages["locked"] % {
            "minutes": to_persian_digits(settings.LOGIN_LOCKOUT_SECONDS // 60)
        }
        return escape(str(message))


def _heading() -> str:
    with translation.override("fa"):
        return str(translation.gettext("Sign in to your account"))


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, username: str, times: int) -> None:
    for _ in range(times):
        response = client.post(LOGIN_URL, {"username": username, "password": "wrong-password"})
        assert response.status_code == 200
        assert _locked_message() not in response.content.decode()


# The login page


def test_login_page_renders_in_persian(client, db):
    response = client.get(LOGIN_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "نام کاربری" in html
    assert "گذرواژه" in html
    assert _heading() in html


def test_successful_login_redirects_home(client, world):
    response = client.post(LOGIN_URL, {"username": "prov", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in(client)


def test_wrong_password_is_refused(client, world):
    response = client.post(LOGIN_URL, {"username": "prov", "password": "nope-nope"})

    assert response.status_code == 200
    assert not _signed_in(client)
    assert 'role="alert"' in response.content.decode()


def test_sixth_attempt_is_locked_even_with_the_right_password(client, world):
    _fail(client, "prov", settings.LOGIN_FAILURE_LIMIT)

    response = client.post(LOGIN_URL, {"username": "prov", "password": PASSWORD})

    assert response.status_code == 200
    assert _locked_message() in response.content.decode()
    assert not _signed_in(client)


def test_lockout_ignores_the_case_of_the_username(client, world):
    _fail(client, "prov", settings.LOGIN_FAILURE_LIMIT)

    response = client.post(LOGIN_URL, {"username": "PROV ", "password": PASSWORD})

    assert _locked_message() in response.content.decode()
    assert not _signed_in(client)


def test_lockout_of_one_account_leaves_others_alone(client, world):
    _fail(client, "prov", settings.LOGIN_FAILURE_LIMIT)

    response = client.post(LOGIN_URL, {"username": "station", "password": PASSWORD})

    assert response.status_code == 302
    assert _signed_in(client)


def test_success_before_the_limit_resets_the_count(client, world):
    _fail(client, "prov", settings.LOGIN_FAILURE_LIMIT - 1)
    assert client.post(LOGIN_URL, {"username": "prov", "password": PASSWORD}).status_code == 302
    client.logout()
    _fail(client, "prov", settings.LOGIN_FAILURE_LIMIT - 1)

    response = client.post(LOGIN_URL, {"username": "prov", "password": PASSWORD})

    assert response.status_code == 302


def test_admin_login_page_is_locked_too(client, world):
    world.hq_admin.is_staff = True
    world.hq_admin.save(update_fields=["is_staff"])
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "hq", "password": "wrong-password"})

    response = client.post("/admin/login/?next=/admin/", {"username": "hq", "password": PASSWORD})

    assert response.status_code == 200
    assert _locked_message() in response.content.decode()
    assert not _signed_in(client)


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_cache():
    url = os.environ.get("ENTEZAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    if not _redis_answers(url):
        if os.environ.get("ENTEZAM_TEST_POSTGRES", "").lower() == "required":
            pytest.fail(f"Redis does not answer at {url} (ENTEZAM_TEST_POSTGRES=required)")
        pytest.skip(f"Redis does not answer at {url}")
    prefix = f"entezam-test-{uuid.uuid4().hex}"
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches):
        yield cache
        from django_redis import get_redis_connection

        redis = get_redis_connection("default")
        keys = list(redis.scan_iter(f"{prefix}:*"))
        if keys:
            redis.delete(*keys)


def test_lockout_is_counted_in_the_database_not_the_cache(client, db, redis_cache):
    username = f"redis-{uuid.uuid4().hex[:8]}"
    UserFactory(username=username)
    _fail(client, username, settings.LOGIN_FAILURE_LIMIT)
    # A restarted or flushed cache (as Redis is in production) unlocks nothing.
    redis_cache.clear()

    response = client.post(LOGIN_URL, {"username": username, "password": PASSWORD})

    assert _locked_message() in response.content.decode()
    assert not _signed_in(client)
    attempts = AccessAttempt.objects.filter(username=username)
    assert sum(a.failures_since_start for a in attempts) == settings.LOGIN_FAILURE_LIMIT


def _age_failures(seconds: int) -> None:
    """As if the recorded failures had happened `seconds` earlier."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


def test_lockout_ends_after_the_lockout_time(client, world):
    _fail(client, "prov", settings.LOGIN_FAILURE_LIMIT)
    _age_failures(settings.LOGIN_LOCKOUT_SECONDS + 1)

    response = client.post(LOGIN_URL, {"username": "prov", "password": PASSWORD})

    assert response.status_code == 302
    assert _signed_in(client)


def test_attempts_during_the_lockout_do_not_prolong_it(client, world):
    _fail(client, "prov", settings.LOGIN_FAILURE_LIMIT)
    _age_failures(settings.LOGIN_LOCKOUT_SECONDS - 60)
    response = client.post(LOGIN_URL, {"username": "prov", "password": "wrong-password"})
    assert _locked_message() in response.content.decode()
    _age_failures(61)

    response = client.post(LOGIN_URL, {"username": "prov", "password": PASSWORD})

    assert response.status_code == 302


def test_failures_from_one_address_lock_no_other_account(client, world):
    for username in ["prov", "station", "manager", "operator"]:
        _fail(client, username, settings.LOGIN_FAILURE_LIMIT - 1)

    response = client.post(LOGIN_URL, {"username": "trainer", "password": PASSWORD})

    assert response.status_code == 302


def test_a_locked_account_is_refused_on_any_sign_in_path(client, world, rf):
    _fail(client, "prov", settings.LOGIN_FAILURE_LIMIT)

    user = authenticate(rf.post(LOGIN_URL), username="prov", password=PASSWORD)

    assert user is None


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_failures_record_the_address_the_proxy_names(client, world):
    client.post(
        LOGIN_URL,
        {"username": "prov", "password": "wrong-password"},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_X_FORWARDED_PROTO="https",
        secure=True,
    )

    assert AccessAttempt.objects.get(username="prov").ip_address == "203.0.113.7"


# API tokens


def test_api_token_reads_the_holders_scope(client, world):
    token = api_token_issue(actor=world.hq_admin, user=world.manager)

    response = client.get("/api/v1/institutions/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world.inst_a.pk]
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.actor == world.hq_admin
    assert event.object_id == str(world.manager.pk)


def test_province_officer_token_sees_their_province(client, world):
    token = api_token_issue(actor=world.hq_admin, user=world.province_officer)

    response = client.get("/api/v1/institutions/", HTTP_AUTHORIZATION=f"Token {token.key}")

    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {world.inst_a.pk, world.inst_a2.pk}


def test_reissued_token_replaces_the_old_one(client, world):
    old = api_token_issue(actor=world.hq_admin, user=world.manager)
    new = api_token_issue(actor=world.manager, user=world.manager)

    assert old.key != new.key
    response = client.get("/api/v1/institutions/", HTTP_AUTHORIZATION=f"Token {old.key}")
    assert response.status_code == 401
    response = client.get("/api/v1/institutions/", HTTP_AUTHORIZATION=f"Token {new.key}")
    assert response.status_code == 200


def test_only_hq_admin_issues_tokens_for_others(world):
    with pytest.raises(PermissionDenied):
        api_token_issue(actor=world.province_officer, user=world.manager)

    assert not AuditEvent.objects.filter(action="api_token.issue").exists()


@pytest.mark.parametrize("header", [None, "Token not-a-real-key", "Bearer abc"])
def test_missing_or_invalid_token_gets_401(client, world, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get("/api/v1/institutions/", **extra)

    assert response.status_code == 401


# Users and role assignments


def test_role_assign_refuses_a_non_admin(world):
    with pytest.raises(PermissionDenied):
        role_assign(actor=world.province_officer, user=world.trainer, role="hq_admin")

    world.trainer.forget_role_assignments()
    assert world.trainer.roles == {"trainer"}


def test_role_assign_records_the_grant(world):
    assignment = role_assign(
        actor=world.hq_admin,
        user=world.trainer,
        role="province_officer",
        province=world.province_b,
    )

    assert world.trainer.roles == {"trainer", "province_officer"}
    event = AuditEvent.objects.get(action="role_assignment.grant")
    assert (event.actor, event.role) == (world.hq_admin, "hq_admin")
    assert event.object_id == str(assignment.pk)
    assert event.province_id == world.province_b.pk


def test_role_scope_mismatch_is_refused(world):
    assignment = RoleAssignment(user=world.trainer, role="province_officer")

    with pytest.raises(ValidationError) as caught:
        assignment.clean()

    assert caught.value.code == "role_scope_mismatch"


def test_role_assign_with_the_wrong_scope_writes_nothing(world):
    with pytest.raises(ValidationError):
        role_assign(actor=world.hq_admin, user=world.trainer, role="province_officer")
    with pytest.raises(ValidationError):
        role_assign(
            actor=world.hq_admin, user=world.trainer, role="hq_admin", province=world.province_a
        )

    assert not RoleAssignment.objects.filter(user=world.trainer).exclude(role="trainer").exists()
    assert not AuditEvent.objects.exists()


def test_user_create_refuses_a_taken_username(world):
    with pytest.raises(ValidationError) as caught:
        user_create(actor=world.hq_admin, username="PROV", password="Another-pw-1404")

    assert [e.code for e in caught.value.error_dict["username"]] == ["unique"]


def test_token_command_prints_a_working_token(world):
    from io import StringIO

    from django.core.management import call_command
    from rest_framework.test import APIClient

    out = StringIO()
    call_command("token", "issue", "station", stdout=out)
    key = out.getvalue().strip()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    names = {row["name"] for row in client.get("/api/v1/institutions/").json()["results"]}
    assert names == {world.inst_a.name}


def test_failed_sign_ins_and_lockouts_are_in_the_audit_log(client, world):
    _fail(client, "prov", settings.LOGIN_FAILURE_LIMIT)
    _fail(client, "nobody-here", 1)

    failed = AuditEvent.objects.filter(action="login.failed")
    assert failed.filter(object_id=str(world.province_officer.pk)).count() == (
        settings.LOGIN_FAILURE_LIMIT
    )
    unknown = failed.get(object_id="")
    assert unknown.object_repr == "nobody-here" and unknown.ip == "127.0.0.1"
    locked = AuditEvent.objects.get(action="login.locked")
    assert locked.object_id == str(world.province_officer.pk)
    # Nation-scope events: HQ reads them, a province officer does not.
    assert AuditEvent.objects.visible_to(world.hq_admin).filter(pk=locked.pk).exists()
    assert not AuditEvent.objects.visible_to(world.province_officer).filter(pk=locked.pk).exists()


@override_settings(LOGIN_ADDRESS_SLOWDOWN_AFTER=6, LOGIN_ADDRESS_SLOWDOWN_SECONDS=30)
def test_an_address_that_fails_often_is_slowed_down_not_locked(client, world):
    # Six different accounts fail once or twice from one office: nobody is locked out, but
    # the address now has to wait between attempts.
    for username in ["prov", "station", "manager", "operator", "analyst", "hq"]:
        _fail(client, username, 1)
    response = client.post(LOGIN_URL, {"username": "trainer", "password": PASSWORD})
    assert response.status_code == 200 and not _signed_in(client)
    assert "۳۰" in response.content.decode() or "30" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="trainer").exists()  # not counted
    # Another address is not slowed down.
    response = client.post(
        LOGIN_URL, {"username": "trainer", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 302
