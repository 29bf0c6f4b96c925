"""Browser-facing protections on every page, and the admin kept to HQ administrators."""

import re

import pytest

from tests.permissions import ROLES


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()
    }


@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_carry_the_security_headers(client, world, signed_in):
    if signed_in:
        client.force_login(world.province_officer)
        response = client.get(f"/institutions/{world.inst_a.pk}/")
    else:
        response = client.get("/accounts/login/")

    assert response.status_code == 200
    # The order of the directives is the library's; each one is asserted.
    assert _directives(response) == {
        "default-src": "'self'",
        "img-src": "'self' data:",
        "style-src": "'self' 'unsafe-inline'",
        "script-src": "'self'",
        "font-src": "'self'",
        "connect-src": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'self'",
    }
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_not_readable_by_scripts(client, world):
    response = client.post("/accounts/login/", {"username": "prov", "password": "pw-Entezam-1404"})

    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_pages_carry_no_inline_scripts(client, world):
    client.force_login(world.hq_admin)

    html = client.get(f"/institutions/{world.inst_a.pk}/").content.decode()

    # With `script-src 'self'` an inline script would not run: every script has a src
    # (data islands of type application/json are not executed).
    tags = re.findall(r"<script\b[^>]*>", html)
    assert tags
    assert [t for t in tags if "src=" not in t and "application/json" not in t] == []


@pytest.mark.parametrize("role", [role for role in ROLES if role != "hq_admin"])
def test_admin_is_refused_below_hq_admin(client, world, role):
    client.force_login(getattr(world, role))

    response = client.get("/admin/")

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")
    response = client.get("/admin/institutions/institution/")
    assert response.status_code in (302, 403)


def test_admin_is_refused_to_anonymous(client, db):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_is_served_to_hq_admin(client, world):
    client.force_login(world.hq_admin)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "انتظام — مدیریت" in response.content.decode()
    listing = client.get("/admin/institutions/institution/")
    assert listing.status_code == 200
    assert world.inst_b.name in listing.content.decode()


@pytest.mark.django_db
def test_pages_and_api_answers_with_personal_data_are_not_stored(client, world):
    client.force_login(world.hq_admin)
    for url in ("/", "/people/", "/api/v1/people/", "/institutions/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store, private", url


@pytest.mark.django_db
def test_the_api_schema_and_docs_need_a_signed_in_user(client, world):
    assert client.get("/api/v1/schema/").status_code in (401, 403)
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    client.force_login(world.hq_analyst)
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200
