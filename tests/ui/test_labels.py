"""Every control on every page a role's menu opens has a label a screen reader announces
(`<label for>`, or `aria-label` where the control speaks for itself)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.permissions import ROLES
from tests.test_query_counts import nav_urls

pytestmark = pytest.mark.django_db

CONTROL = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)
ATTR = re.compile(r'([\w-]+)="([^"]*)"')
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


def unlabelled(html: str) -> list[str]:
    labelled = set(re.findall(r'<label\b[^>]*\bfor="([^"]+)"', html))
    missing = []
    for tag, attrs_text in CONTROL.findall(html):
        attrs = dict(ATTR.findall(attrs_text))
        if tag == "input" and attrs.get("type", "text") in UNLABELLED_TYPES:
            continue
        if "aria-label" in attrs or "aria-labelledby" in attrs:
            continue
        if attrs.get("id") not in labelled:
            missing.append(f"<{tag} name={attrs.get('name')!r} id={attrs.get('id')!r}>")
    return missing


@pytest.mark.parametrize("role", ROLES)
def test_every_control_in_the_menus_pages_is_labelled(world, role):
    user = getattr(world, role)
    client = Client()
    client.force_login(user)
    problems = {}
    for url in nav_urls(user):
        response = client.get(url, secure=True)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            found = unlabelled(response.content.decode())
            if found:
                problems[url] = found
    assert problems == {}
