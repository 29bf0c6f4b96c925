import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from entezam.feedback.choices import Category, Status
from entezam.feedback.models import Feedback
from tests.accounts.factories import user_with_role

pytestmark = pytest.mark.django_db


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
    return client


def test_public_submit_status_and_confirm(world):
    anonymous = _client()
    response = anonymous.post(
        "/api/v1/feedback/send/",
        {
            "text": "نگهبان بانک با مادرم خیلی بد رفتار کرد",
            "contact": "09120001122",
            "institution": world.inst_a.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    code = response.json()["tracking_code"]
    assert "contact" not in response.json() and "name" not in response.json()
    operator, manager = _client(world.operator), _client(world.manager)
    feedback = Feedback.objects.get(tracking_code=code)
    response = operator.post(
        f"/api/v1/feedback/{feedback.pk}/triage/", {"category": "complaint"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == Status.ASSIGNED
    assert response.json()["contact"] == "09120001122"
    assert _client(world.hq_analyst).get(f"/api/v1/feedback/{feedback.pk}/").json()["contact"] == ""
    response = manager.post(
        f"/api/v1/feedback/{feedback.pk}/resolve/", {"reply": "با نگهبان صحبت شد"}, format="json"
    )
    assert response.status_code == 200
    status = anonymous.get(f"/api/v1/feedback/public/{code}/").json()
    assert status["public_reply"] == "با نگهبان صحبت شد" and status["answerable"]
    assert anonymous.post(f"/api/v1/feedback/public/{code}/confirm/").json()["status"] == "closed"


def test_public_submit_errors_and_honeypot(world):
    anonymous = _client()
    assert anonymous.post("/api/v1/feedback/send/", {"text": ""}, format="json").status_code == 400
    response = anonymous.post(
        "/api/v1/feedback/send/", {"text": "سلام وقت بخیر سوال دارم", "contact": "x"}, format="json"
    )
    assert response.status_code == 400 and "contact" in response.json()
    response = anonymous.post(
        "/api/v1/feedback/send/", {"text": "سلام وقت بخیر سوال دارم", "website": "x"}, format="json"
    )
    assert response.status_code == 400
    assert not Feedback.objects.exists()
    assert anonymous.get("/api/v1/feedback/public/AAAAAAAA/").status_code == 404


def test_operator_call_and_foreign_scope(world):
    operator = _client(world.operator)
    response = operator.post(
        "/api/v1/feedback/",
        {
            "text": "تماس گیرنده از نگهبان موسسه امین تشکر کرد",
            "category": "appreciation",
            "subject_institution": world.inst_a.registration_number,
        },
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert response.json()["category"] == Category.APPRECIATION
    foreign = _client(user_with_role("institution_manager", world.inst_b, username="mgr-b"))
    assert foreign.get(f"/api/v1/feedback/{pk}/").status_code == 404
    assert (
        foreign.post(f"/api/v1/feedback/{pk}/resolve/", {"reply": "x"}, format="json").status_code
        == 404
    )
    assert (
        _client(world.manager)
        .post("/api/v1/feedback/", {"text": "سلام"}, format="json")
        .status_code
        == 403
    )
    suggest = operator.post("/api/v1/feedback/suggest/", {"text": "آتش گرفته انبار"}, format="json")
    assert suggest.json()["urgent"] is True
