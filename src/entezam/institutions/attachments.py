"""The letter behind a lifecycle action: its number checked, its scan sniffed and kept."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile

from entezam.core.errors import field_error
from entezam.core.persian import normalize, to_ascii_digits

from .errors import MESSAGES
from .models import Institution, LifecycleAttachment

if TYPE_CHECKING:
    from entezam.accounts.models import User

LETTER_NUMBER_MAX = 40
ATTACHMENT_MAX_MEGABYTES = 5
ATTACHMENT_MAX_BYTES = ATTACHMENT_MAX_MEGABYTES * 1024 * 1024
# Digits, Persian and Latin letters, ZWNJ, space and / - . (letter numbers read "۱۲۳/ص/۴۵").
_LETTER_NUMBER = re.compile(
    r"^[0-9A-Za-z\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u200c /.\-]+$"
)
# The first bytes of each accepted kind: the content decides, not the name or the browser.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def clean_letter_number(value: str | None) -> str:
    text = " ".join(normalize(to_ascii_digits(value or "")).split())
    if not text:
        return ""
    if len(text) > LETTER_NUMBER_MAX:
        raise field_error("letter_number", "letter_too_long", MESSAGES, limit=LETTER_NUMBER_MAX)
    if not _LETTER_NUMBER.fullmatch(text):
        raise field_error("letter_number", "letter_invalid_chars", MESSAGES)
    return text


def sniff(upload) -> tuple[str, str]:
    """(content type, extension) of an upload by its content; refused if not PDF/JPEG/PNG,
    empty or too large."""
    size = upload.size or 0
    if size > ATTACHMENT_MAX_BYTES:
        raise field_error(
            "attachment", "attachment_too_large", MESSAGES, limit=ATTACHMENT_MAX_MEGABYTES
        )
    if size == 0:
        raise field_error("attachment", "attachment_empty", MESSAGES)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    raise field_error("attachment", "attachment_wrong_type", MESSAGES)


def attachment_store(
    *, actor: User, institution: Institution, action: str, letter_number: str, upload
) -> LifecycleAttachment:
    """Keep a sniffed upload (`sniff` first) in private storage, under a name of ours."""
    content_type, extension = sniff(upload)
    digest = hashlib.sha256()
    content = b"".join(upload.chunks())
    digest.update(content)
    original = PurePath(str(upload.name or "").replace("\\", "/")).name
    stem = "".join(ch for ch in PurePath(original).stem if ch.isprintable())[:150].strip()
    attachment = LifecycleAttachment(
        institution=institution,
        action=action,
        letter_number=letter_number,
        file_name=f"{stem or 'letter'}.{extension}",
        content_type=content_type,
        size=len(content),
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
    attachment.save()
    return attachment
