"""Searchable choices: the lookup endpoint answers only rows in the user's scope, narrowed
by the parent choice; list filters render no long option list."""

from __future__ import annotations

import pytest

from tests.geo.factories import CountyFactory
from tests.institutions.factories import InstitutionFactory


def _ids(client, name, **params):
    response = client.get(f"/lookup/{name}/", params)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.django_db
def test_institution_lookup_is_scoped_to_the_user(client, world):
    client.force_login(world.manager)
    assert _ids(client, "institution") == {world.inst_a.pk}
    assert _ids(client, "institution", q=world.inst_b.name) == set()
    client.force_login(world.province_officer)
    assert _ids(client, "institution") == {world.inst_a.pk, world.inst_a2.pk}


@pytest.mark.django_db
def test_institution_lookup_searches_by_name_with_persian_normalisation(client, world):
    client.force_login(world.hq_admin)
    # Arabic yeh and kaf, as some keyboards type them, find the Persian spelling.
    assert world.inst_a.pk in _ids(client, "institution", q="امين")
    assert _ids(client, "institution", q=world.inst_a.registration_number) == {world.inst_a.pk}


@pytest.mark.django_db
def test_county_lookup_narrows_to_the_chosen_province(client, world):
    in_a = CountyFactory(province=world.province_a)
    in_b = CountyFactory(province=world.province_b)
    client.force_login(world.hq_admin)
    assert _ids(client, "county", parent=world.province_a.pk) == {in_a.pk}
    assert in_b.pk in _ids(client, "county")
    # A parent that is not an id narrows to nothing rather than failing.
    assert _ids(client, "county", parent="x") == set()


@pytest.mark.django_db
def test_unknown_lookup_is_404_and_anonymous_is_sent_to_sign_in(client, world):
    assert client.get("/lookup/institution/").status_code == 302
    client.force_login(world.hq_admin)
    assert client.get("/lookup/nothing/").status_code == 404


@pytest.mark.django_db
def test_list_filters_render_a_searchable_select_not_every_institution(client, world):
    for _ in range(30):
        InstitutionFactory(supervising_unit=world.station_a)
    client.force_login(world.hq_admin)
    page = client.get("/people/", {"institution": world.inst_a.pk}).content.decode()
    assert 'data-lookup="/lookup/institution/"' in page
    select = page[
        page.index('name="institution"') : page.index("</select>", page.index('name="institution"'))
    ]
    # Only the chosen institution (and the empty choice) is in the page.
    assert select.count("<option") == 2 and world.inst_a.name in select


@pytest.mark.django_db
def test_the_citizens_form_searches_active_institutions_and_counties_without_signing_in(
    client, world
):
    from entezam.institutions.services import institution_suspend

    in_a = CountyFactory(province=world.province_a)
    CountyFactory(province=world.province_b)
    institution_suspend(actor=world.hq_admin, institution=world.inst_a2, reason="بازرسی")
    # Anyone: the active institutions (a suspended one is not offered), by province.
    assert _ids(client, "feedback_institution", parent=world.province_a.pk) == {world.inst_a.pk}
    assert world.inst_b.pk in _ids(client, "feedback_institution")
    assert _ids(client, "public_county", parent=world.province_a.pk) == {in_a.pk}
    # The officers' lookups still ask for a sign-in.
    assert client.get("/lookup/county/").status_code == 302
    # The page itself lists neither every institution nor every county.
    page = client.get("/feedback/send/").content.decode()
    for name, lookup in (("institution", "feedback_institution"), ("county", "public_county")):
        start = page.index(f'<select name="{name}"')
        select = page[start : page.index("</select>", start)]
        assert f'data-lookup="/lookup/{lookup}/"' in select and select.count("<option") == 1
    assert world.inst_b.name not in page


@pytest.mark.django_db
def test_a_public_lookup_answers_each_address_a_limited_number_of_times(client, monkeypatch):
    from entezam.core import lookups

    monkeypatch.setattr(lookups, "PUBLIC_PER_MINUTE", 3)
    address = {"REMOTE_ADDR": "198.51.100.23"}
    statuses = [client.get("/lookup/public_county/", **address).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another address is not held back by this one.
    assert client.get("/lookup/public_county/", REMOTE_ADDR="198.51.100.24").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["\x00ab", "ab\x00", "\x01\x1f", "ا" * 5000, "\u202e12"])
def test_hostile_search_text_is_cleaned_never_an_error(client, world, text):
    # NUL, which PostgreSQL refuses in text, is dropped with the other invisible controls.
    assert client.get("/lookup/public_county/", {"q": text, "parent": text}).status_code == 200
    client.force_login(world.hq_admin)
    assert client.get("/lookup/institution/", {"q": text}).status_code == 200
