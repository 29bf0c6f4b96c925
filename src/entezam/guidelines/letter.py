"""The issued guideline as an official letter: a PDF (WeasyPrint, Vazirmatn, Persian
shaping through Pango) with the issuance number, Jalali date, recipients, the clauses and
the content hash, and the address where a printed copy is checked."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from . import text

FONTS = {
    "regular": "vendor/vazirmatn/ttf/Vazirmatn-Regular.ttf",
    "bold": "vendor/vazirmatn/ttf/Vazirmatn-Bold.ttf",
}


def _font_url(name: str) -> str:
    found = finders.find(FONTS[name])
    # Without the built assets Pango falls back to a system font: still shaped, plainer.
    return Path(found).as_uri() if found else ""


def issuance_pdf(request, issuance) -> bytes:
    from weasyprint import HTML

    version = issuance.version
    clauses = list(version.clauses.all())
    for clause in clauses:
        clause.html = text.render_markdown(clause.body)
    year, serial = issuance.number.split("/", 1)
    check_url = request.build_absolute_uri(reverse("guideline_check", args=[year, serial]))
    with override("fa"):
        html = render_to_string(
            "guidelines/letter.html",
            {
                "issuance": issuance,
                "version": version,
                "guideline": version.guideline,
                "clauses": clauses,
                "regular_font": _font_url("regular"),
                "bold_font": _font_url("bold"),
                "check_url": check_url,
                "recipients": issuance.acknowledgements.count(),
            },
        )
    return HTML(string=html, base_url=None).write_pdf()
