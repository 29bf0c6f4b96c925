"""The PDF card (Persian name and institution in logical order in its text) and the offline
check: the signed compact credential and the signed revocation list."""

import datetime
import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from entezam.credentials import services, signing
from entezam.credentials.pdf import qr_url
from entezam.institutions.services import institution_suspend
from entezam.personnel.models import Employment
from tests.permissions import api, web
from tests.training.conftest import approved_applicant
from tests.training.factories import CertificateFactory, CourseFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def card(world):
    course = CourseFactory(mandatory_for=["guard"])
    person = approved_applicant(world.inst_a, first_name="مهدی", last_name="یزدان‌پناه")
    CertificateFactory(person=person, course=course)
    return services.card_issue(
        actor=world.manager, employment=Employment.objects.get(person=person)
    )


def pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "card.pdf"
        path.write_bytes(data)
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout


def test_the_pdf_holds_the_persian_name_and_institution_in_logical_order(client, world, card):
    response = web(client, world.manager).get(f"/cards/{card.pk}/card.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "مهدی" in text and "یزدان" in text
    assert world.inst_a.name in text
    assert card.number in text


def test_a_batch_pdf_and_foreign_cards(client, world, card):
    response = web(client, world.manager).get(f"/cards/batch.pdf?institution={world.inst_a.pk}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (
        web(client, world.manager)
        .get(f"/cards/batch.pdf?institution={world.inst_b.pk}")
        .status_code
        == 404
    )
    from tests.accounts.factories import user_with_role

    other = user_with_role("institution_manager", world.inst_b, username="m_b")
    assert web(client, other).get(f"/cards/{card.pk}/card.pdf").status_code == 404


def test_the_offline_check_verifies_the_signature_and_the_list(client, world, card):
    key = api().get("/api/v1/public/credential-key/").json()["ed25519"]
    listed = api().get("/api/v1/public/revocations/").json()
    compact = qr_url(card).split("#c=", 1)[1]
    answer = signing.verify_offline(
        compact, public_key=key, revocations=listed, today=TODAY.isoformat()
    )
    assert answer.may_work and answer.claims["l"] == "یزدان‌پناه"
    # Tampered credential or list: refused.
    _body, signature = compact.split(".")
    forged = (
        signing._b64(json.dumps({"n": card.number, "e": "2099-01-01"}).encode()) + "." + signature
    )
    assert not signing.verify_offline(
        forged, public_key=key, revocations=listed, today=TODAY.isoformat()
    ).valid_signature
    institution_suspend(actor=world.hq_admin, institution=world.inst_a, reason="گزارش بازرسی")
    services.cards_reconcile()
    listed = api().get("/api/v1/public/revocations/").json()
    assert card.number in listed["numbers"]
    answer = signing.verify_offline(
        compact, public_key=key, revocations=listed, today=TODAY.isoformat()
    )
    assert answer.valid_signature and answer.listed and not answer.may_work
    tampered = {**listed, "numbers": []}
    assert not signing.verify_offline(
        compact, public_key=key, revocations=tampered, today=TODAY.isoformat()
    ).valid_signature
    later = (card.expires_on + datetime.timedelta(days=1)).isoformat()
    assert signing.verify_offline(
        compact,
        public_key=key,
        revocations=api().get("/api/v1/public/revocations/").json(),
        today=later,
    ).expired


def test_the_verification_url_is_the_public_page(client, card):
    path = qr_url(card).split("://", 1)[1].split("/", 1)[1].split("#")[0]
    assert client.get("/" + path).status_code == 200
