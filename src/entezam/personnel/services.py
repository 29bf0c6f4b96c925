"""Writes on people and employment: one transaction and one audit event per call."""

from __future__ import annotations

import datetime
import io
import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from entezam.core import audit
from entezam.core.errors import field_error
from entezam.core.scoping import can, require
from entezam.core.services import create_object, update_object
from entezam.institutions.choices import OPERATING_STATUSES
from entezam.institutions.models import Institution

from .choices import EndReason, Position
from .errors import MESSAGES
from .models import Employment, Person
from .reach import reach_link
from .validators import check_person_name

if TYPE_CHECKING:
    from entezam.accounts.models import User

EMPLOYMENT = "personnel.employment"

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "father_name",
    "birth_date",
    "gender",
    "mobile",
    "education",
    "military_service",
    "address",
)
NAME_FIELDS = ("first_name", "last_name", "father_name")


def tidy_names(data: dict) -> dict:
    for name in NAME_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            result = check_person_name(value)
            if result.ok:
                data[name] = result.value
    return data


def _require_editable(actor, person: Person) -> None:
    """404 outside the actor's view; 403 unless HQ or the institution employing them now."""
    require(actor, "view", person)
    if not can(actor, "change", person):
        raise PermissionDenied(MESSAGES["not_editor"])


@transaction.atomic
def person_update(*, actor: User, person: Person, **data: Any) -> Person:
    """Edit a person's details (HQ, or the manager of the institution employing them now)."""
    if "national_code" in data:
        raise field_error("national_code", "national_code_fixed", MESSAGES)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"person_update() got unexpected fields: {sorted(unknown)}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_editable(actor, person)
    return update_object(
        actor=actor,
        obj=person,
        data=tidy_names(dict(data)),
        fields=[name for name in EDITABLE_FIELDS if name in data],
        action="person.update",
    )


@transaction.atomic
def employment_start(
    *,
    actor: User,
    person: Person,
    institution: Institution,
    position: str,
    start_date: datetime.date,
) -> Employment:
    """Employ a person at an institution; a person holds at most one active employment."""
    # Serialise starts for one person; the database constraint is the last word.
    person = Person.objects.select_for_update().get(pk=person.pk)
    if position not in Position.values:
        raise field_error("position", "unknown_position", MESSAGES)
    if institution.status not in OPERATING_STATUSES:
        raise field_error(
            "institution",
            "institution_not_operating",
            MESSAGES,
            status=institution.get_status_display(),
        )
    if start_date < person.birth_date:
        raise field_error("start_date", "start_before_birth", MESSAGES)
    if _has_active_employment(person):
        raise _already_employed()
    try:
        with transaction.atomic():
            employment = create_object(
                actor=actor,
                model=Employment,
                data={
                    "person": person,
                    "institution": institution,
                    "position": position,
                    "start_date": start_date,
                },
                action="employment.start",
            )
            reach_link(person_id=person.pk, institution=institution, source=EMPLOYMENT)
            return employment
    except IntegrityError as exc:
        # A concurrent start committed between the check and the insert.
        if Employment.objects.filter(person=person, end_date__isnull=True).exists():
            raise _already_employed() from exc
        raise


def _has_active_employment(person: Person) -> bool:
    return Employment.objects.filter(person=person, end_date__isnull=True).exists()


def _already_employed() -> ValidationError:
    return field_error("person", "already_employed", MESSAGES)


@transaction.atomic
def employment_end(
    *, actor: User, employment: Employment, end_date: datetime.date, reason: str
) -> Employment:
    """End an active employment on `end_date` for one of the `EndReason`s."""
    employment = (
        Employment.objects.select_for_update().select_related("institution").get(pk=employment.pk)
    )
    require(actor, "change", employment)
    if employment.end_date is not None:
        raise field_error("end_date", "ended", MESSAGES)
    if reason not in EndReason.values:
        raise field_error("reason", "end_reason_required", MESSAGES)
    if end_date < employment.start_date:
        raise field_error("end_date", "end_before_start", MESSAGES)
    return update_object(
        actor=actor,
        obj=employment,
        data={"end_date": end_date, "end_reason": reason},
        fields=["end_date", "end_reason"],
        action="employment.end",
    )


@transaction.atomic
def person_record_viewed(*, actor: User, person: Person) -> None:
    """Log that `actor` opened the person's full record (detail page or API retrieve)."""
    audit.record(actor=actor, action="person.view", obj=person, permission="view")


PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_BOX = (600, 800)


def _reencoded_photo(upload: File) -> bytes:
    """Decode the upload as an image and write a fresh JPEG: nothing of the original file
    (metadata, trailing data, a disguised script) survives."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    error = field_error("photo", "photo_invalid", MESSAGES)
    if upload.size > PHOTO_MAX_BYTES:
        raise field_error(
            "photo", "photo_too_large", MESSAGES, limit=PHOTO_MAX_BYTES // (1024 * 1024)
        )
    try:
        with Image.open(upload) as probe:
            if probe.format not in ("JPEG", "PNG", "WEBP"):
                raise error
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise error
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            picture = ImageOps.exif_transpose(image).convert("RGB")
            picture.thumbnail(PHOTO_BOX)
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise error from None
    return out.getvalue()


@transaction.atomic
def person_photo_set(*, actor: User, person: Person, upload: File) -> Person:
    """Replace a person's photo with a re-encoded copy of the upload."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_editable(actor, person)
    photo = _reencoded_photo(upload)
    storage = person.photo.storage
    old_name = person.photo.name if person.photo else ""
    name = person.photo.field.generate_filename(person, f"{uuid.uuid4().hex}.jpg")
    new_name = storage.save(name, ContentFile(photo))
    try:
        update_object(
            actor=actor,
            obj=person,
            data={"photo": new_name},
            fields=["photo"],
            action="person.photo",
        )
    except Exception:
        storage.delete(new_name)
        raise
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return person
