"""The compliance of one issuance as XLSX: one row per acknowledgement the user may see."""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from entezam.core.persian.jalali import format_jalali
from entezam.core.persian.text import active_language

from .models import Acknowledgement

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula."""
    text = str(value or "")
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_compliance_xlsx(acknowledgements, stream) -> int:
    import xlsxwriter

    digits = active_language()
    today = timezone.localdate()
    workbook = xlsxwriter.Workbook(
        stream,
        {
            "in_memory": False,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(_("Compliance")[:31])
    if digits == "fa":
        sheet.right_to_left()
    bold = workbook.add_format({"bold": True})
    headers = [
        _("institution"),
        _("province"),
        _("status"),
        _("deadline"),
        _("days left"),
        _("acknowledged at"),
    ]
    for column, header in enumerate(headers):
        sheet.set_column(column, column, 24)
        sheet.write_string(0, column, header, bold)
    count = 0
    for row, ack in enumerate(acknowledgements.iterator(chunk_size=1000), start=1):
        values = [
            ack.institution.name,
            ack.institution.province.name,
            ack.get_status_display(),
            format_jalali(ack.deadline, digits=digits),
            format_jalali(ack.acknowledged_at, "datetime", digits=digits),
        ]
        for column, value in enumerate(values[:4]):
            sheet.write_string(row, column, _cell(value))
        sheet.write_number(row, 4, (ack.deadline - today).days)
        sheet.write_string(row, 5, _cell(values[4]))
        count += 1
    workbook.close()
    return count


def issuance_xlsx(request, issuance) -> FileResponse:
    rows = (
        Acknowledgement.objects.visible_to(request.user)
        .filter(issuance=issuance)
        .select_related("institution__province")
        .order_by("institution__province__name", "institution__name")
    )
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_compliance_xlsx(rows, spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"guideline-{issuance.number.replace('/', '-')}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
