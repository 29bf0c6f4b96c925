"""The menu offers each role only the lists it can open."""

import pytest
from django.urls import reverse

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
