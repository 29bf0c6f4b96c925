"""The menu offers each role only the lists it can open."""

import pytest
from django.urls import reverse

from entezam.accounts.models import RoleAssignment
from entezam.core.context_processors import navigation_items


def _urls(items) -> set[str]:
    urls = set()
    for item in items:
        if "children" in item:
            urls |= _urls(item["children"])
        else:
            urls.add(item["url"])
    return urls


@pytest.mark.django_db
def test_the_trainer_is_not_offered_lists_that_would_be_empty(world):
    urls = _urls(navigation_items(world.trainer, "/"))
    assert reverse("institutions:list") not in urls
    assert reverse("geo:unit_list") not in urls


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["hq_admin", "province_officer", "station_officer", "manager"])
def test_staff_roles_are_offered_institutions_and_units(world, role):
    urls = _urls(navigation_items(getattr(world, role), "/"))
    assert reverse("institutions:list") in urls
    assert reverse("geo:unit_list") in urls


def _nav(client, path: str) -> str:
    html = client.get(path, secure=True).content.decode()
    start = html.index('<ul class="navbar-nav')
    return html[start : html.index('<div class="navbar-user', start)]


@pytest.mark.django_db
def test_the_rendered_menu_is_each_roles_own_and_marks_the_open_page(world, client):
    # The bar is rendered once per role set, language and active link: users never see
    # each other's menus, and the link of the page open is the active one.
    client.force_login(world.hq_admin)
    hq = _nav(client, reverse("institutions:list"))
    client.force_login(world.trainer)
    trainer = _nav(client, reverse("training:session_list"))
    audit = reverse("core:audit_list")
    assert f'href="{audit}"' in hq and f'href="{audit}"' not in trainer
    assert f'href="{reverse("institutions:list")}"' not in trainer
    assert 'active" href="/institutions/" aria-current="page"' in hq
    client.force_login(world.hq_admin)
    assert 'active" href="/institutions/"' not in _nav(client, reverse("geo:unit_list"))


@pytest.mark.django_db
def test_the_menu_follows_the_language_and_a_new_role_at_once(world, client):
    client.force_login(world.trainer)
    assert "پیشخوان" in _nav(client, "/")
    client.cookies["django_language"] = "en"
    assert "Dashboard" in _nav(client, "/")
    del client.cookies["django_language"]
    assert 'href="/institutions/"' not in _nav(client, "/")
    # A role granted since: the next page shows its lists, with no restart.
    RoleAssignment.objects.create(user=world.trainer, role="hq_admin")
    assert 'href="/institutions/"' in _nav(client, "/")
