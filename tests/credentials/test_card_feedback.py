"""From a card's public page a citizen writes to 197 about that guard; operators name a
guard by card number on a call (issue 13: the subject pre-filled with the card)."""

import pytest

from entezam.feedback.choices import Channel
from entezam.feedback.models import Feedback
from tests.credentials.test_cards import carded, course  # noqa: F401 (fixtures)
from tests.feedback.conftest import _feedback_model, _model_file  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

TEXT = "این نگهبان بسیار مودب و دلسوز بود، از ایشان سپاسگزارم"


def test_the_card_page_links_to_the_feedback_form_about_that_card(client, carded):  # noqa: F811
    page = client.get(f"/v/{carded.token}").content.decode()
    assert f"/feedback/send/?card={carded.token}" in page


def test_a_message_from_the_card_page_is_about_its_holder_and_institution(
    client,
    carded,  # noqa: F811
):
    form = client.get("/feedback/send/", {"card": carded.token}).content.decode()
    assert carded.person.last_name in form and carded.institution.name in form
    response = client.post("/feedback/send/", {"text": TEXT, "card": carded.token})
    assert response.status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.channel == Channel.CARD
    assert feedback.subject_person_id == carded.person_id
    assert feedback.subject_institution_id == carded.institution_id


def test_a_forged_card_token_is_an_ordinary_web_message(client, carded):  # noqa: F811
    page = client.get("/feedback/send/", {"card": "x" * 5000}).content.decode()
    assert carded.person.last_name not in page
    client.post("/feedback/send/", {"text": TEXT, "card": "A" * 30})
    feedback = Feedback.objects.get()
    assert feedback.channel == Channel.WEB
    assert feedback.subject_person_id is None


def test_an_operator_names_the_guard_by_card_number(client, world, carded):  # noqa: F811
    client.force_login(world.operator)
    response = client.post(
        "/feedback/console/",
        {"text": TEXT, "subject_card": carded.number, "contact": "09120000000"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    feedback = Feedback.objects.get()
    assert feedback.subject_person_id == carded.person_id
    assert feedback.subject_institution_id == carded.institution_id
    unknown = client.post("/feedback/console/", {"text": TEXT, "subject_card": "99-999999"})
    assert unknown.status_code == 400
    assert Feedback.objects.count() == 1
