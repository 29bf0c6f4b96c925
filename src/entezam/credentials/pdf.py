"""Print-ready PDF cards (CR80, 85.6 × 54 mm; a batch on A4 sheets of ten): WeasyPrint
with Vazirmatn (Pango shapes Persian and lays it out right to left), the photo, a QR code
of the verification URL with the signed compact credential (segno), Jalali dates."""

from __future__ import annotations

import base64
from pathlib import Path

import segno
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from entezam.core.persian import format_jalali
from entezam.notifications.conf import site_url

from .models import Card
from .signing import compact_credential

FONT = "vendor/vazirmatn/fonts/webfonts/Vazirmatn-Regular.woff2"
FONT_BOLD = "vendor/vazirmatn/fonts/webfonts/Vazirmatn-Bold.woff2"


def qr_url(card: Card) -> str:
    return f"{site_url()}{card.verification_path()}#c={compact_credential(card)}"


def _qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=4, border=1)


def _photo_uri(card: Card) -> str:
    photo = card.person.photo
    if not photo:
        return ""
    # Through the storage, not a file path: any storage backend serves the card's photo.
    try:
        with photo.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


def _font_uri(name: str) -> str:
    path = finders.find(name)
    return Path(path).as_uri() if path else ""


def cards_pdf(cards: list[Card]) -> bytes:
    from weasyprint import HTML

    with translation.override("fa"):
        rows = [
            {
                "card": card,
                "qr": _qr_data_uri(qr_url(card)),
                "photo": _photo_uri(card),
                "issued": format_jalali(card.issued_on, digits="fa"),
                "expires": format_jalali(card.expires_on, digits="fa"),
            }
            for card in cards
        ]
        html = render_to_string(
            "credentials/cards_pdf.html",
            {
                "rows": rows,
                "sheet": len(cards) > 1,
                "font": _font_uri(FONT),
                "font_bold": _font_uri(FONT_BOLD) or _font_uri(FONT),
            },
        )
    return HTML(string=html).write_pdf()
