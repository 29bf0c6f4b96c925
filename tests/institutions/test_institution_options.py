"""Institution filters ship no option list: the search box asks a scoped endpoint."""

import pytest

from tests.institutions.factories import InstitutionFactory
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db

OPTIONS = "/institutions/options/"


def names(client, **params) -> list[str]:
    response = client.get(OPTIONS, params)
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_options_are_the_users_own_institutions_matching_what_is_typed(world, client):
    client.force_login(world.province_officer)
    assert names(client) == sorted(["موسسه حفاظتی امین", "موسسه حفاظتی آرمان"], key=str)
    assert names(client, q="امین") == ["موسسه حفاظتی امین"]
    # The foreign province's institution is not offered, even by its exact name.
    assert names(client, q="سپاهان") == []
    client.force_login(world.manager)
    assert names(client) == ["موسسه حفاظتی امین"]
    client.force_login(world.hq_admin)
    assert names(client, q="سپاهان") == ["موسسه حفاظتی سپاهان"]


def test_options_answer_a_few_and_refuse_strangers(world, client):
    for index in range(30):
        InstitutionFactory(supervising_unit=world.station_a, name=f"موسسه نگهبانان {index}")
    client.force_login(world.hq_admin)
    assert len(names(client, q="نگهبانان")) == 20
    # Hostile input: very long or odd text is a search that finds nothing, never a 500.
    assert names(client, q="x" * 5000) == []
    assert names(client, q="%_'\"") == []
    client.logout()
    assert client.get(OPTIONS).status_code == 302
    # A role that sees no institutions gets none.
    client.force_login(world.trainer)
    assert names(client) == []


@pytest.mark.parametrize("path", ["/people/", "/selection/applications/"])
def test_list_filters_render_only_the_chosen_institution(world, client, path):
    for index in range(5):
        InstitutionFactory(supervising_unit=world.station_a, name=f"موسسه نگهبانان {index}")
    EmploymentFactory(institution=world.inst_a)
    client.force_login(world.hq_admin)
    page = client.get(path).content.decode()
    assert 'data-search-url="/institutions/options/"' in page
    assert "موسسه نگهبانان" not in page and "موسسه حفاظتی سپاهان" not in page
    chosen = client.get(path, {"institution": world.inst_a.pk}).content.decode()
    assert f'<option value="{world.inst_a.pk}" selected>' in chosen
    assert "موسسه نگهبانان" not in chosen
