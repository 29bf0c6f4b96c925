"""Photos: re-encoded on upload, served only to those who may see the person."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from entezam.core.models import AuditEvent
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(900, 1200), extra=b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 60, 90)).save(out, "PNG")
    return out.getvalue() + extra


@pytest.fixture
def employee(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return EmploymentFactory(institution=world.inst_a).person


def upload(client, person, content, name="p.png"):
    return client.post(f"/people/{person.pk}/photo/", {"photo": SimpleUploadedFile(name, content)})


def test_manager_uploads_a_photo_that_is_reencoded(world, client, employee):
    client.force_login(world.manager)
    payload = png_bytes(extra=b"<script>alert(1)</script>")
    assert upload(client, employee, payload).status_code == 302
    employee.refresh_from_db()
    assert employee.photo.name.endswith(".jpg")
    stored = employee.photo.read()
    assert b"<script>" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.width <= 600 and image.height <= 800
    assert AuditEvent.objects.filter(action="person.photo", object_id=str(employee.pk)).exists()
    response = client.get(f"/people/{employee.pk}/photo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_not_an_image_is_refused_with_a_clear_message(world, client, employee):
    client.force_login(world.manager)
    response = upload(client, employee, b"%PDF-1.4 not an image", name="x.png")
    employee.refresh_from_db()
    assert not employee.photo
    page = client.get(response["Location"]).content.decode()
    assert "فایل عکس خوانا نیست" in page


def test_the_photo_is_served_only_within_the_scope(world, client, employee):
    """Uploads are in the shared suite (tests/personnel/test_permissions.py); reading:"""
    client.force_login(world.manager)
    upload(client, employee, png_bytes())
    foreign = EmploymentFactory(institution=world.inst_b).person
    client.force_login(world.hq_admin)
    assert upload(client, foreign, png_bytes()).status_code == 302
    client.force_login(world.manager)
    assert client.get(f"/people/{foreign.pk}/photo/").status_code == 404
    client.force_login(world.station_officer)
    assert client.get(f"/people/{employee.pk}/photo/").status_code == 200
    assert client.get(f"/people/{foreign.pk}/photo/").status_code == 404
