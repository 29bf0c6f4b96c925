"""Institution filters ship no option list: the searchable select asks the scoped lookup."""

import pytest

from tests.institutions.factories import InstitutionFactory
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db

LOOKUP = "/lookup/institution/"


def names(client, **params) -> list[str]:
    response = client.get(LOOKUP, params)
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_the_lookup_answers_a_few_and_refuses_strangers(world, client):
    for index in range(30):
        InstitutionFactory(supervising_unit=world.station_a, name=f"موسسه نگهبانان {index}")
    client.force_login(world.hq_admin)
    assert len(names(client, q="نگهبانان")) == 20
    # Hostile input: very long or odd text is a search that finds nothing, never a 500.
    assert names(client, q="x" * 5000) == []
    assert names(client, q="%_'\"") == []
    client.logout()
    assert client.get(LOOKUP).status_code == 302
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
    assert f'data-lookup="{LOOKUP}"' in page
    assert "موسسه نگهبانان" not in page and "موسسه حفاظتی سپاهان" not in page
    chosen = client.get(path, {"institution": world.inst_a.pk}).content.decode()
    assert f'value="{world.inst_a.pk}" selected' in chosen
    assert "موسسه نگهبانان" not in chosen
