"""The XLSX export of a user's notification list."""

from __future__ import annotations

from django.utils.translation import gettext as _

from entezam.core.persian.jalali import format_jalali
from entezam.core.persian.text import active_language

EXPORT_LIMIT = 10_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula."""
    text = str(value or "")
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_notifications_xlsx(notifications, stream) -> int:
    """Write up to EXPORT_LIMIT notifications, newest first; returns how many."""
    import xlsxwriter

    digits = active_language()
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
    sheet = workbook.add_worksheet(_("Notifications")[:31])
    if digits == "fa":
        sheet.right_to_left()
    bold = workbook.add_format({"bold": True})
    headers = [_("Time"), _("Event"), _("Title"), _("Text"), _("Read at"), _("Link")]
    widths = [18, 24, 40, 70, 18, 40]
    for column, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, header, bold)
    count = 0
    for row, notification in enumerate(notifications[:EXPORT_LIMIT].iterator(), start=1):
        values = [
            format_jalali(notification.created_at, "datetime", digits=digits),
            notification.get_event_display(),
            notification.title,
            notification.body,
            format_jalali(notification.read_at, "datetime", digits=digits),
            notification.url,
        ]
        for column, value in enumerate(values):
            sheet.write_string(row, column, _cell(value))
        count += 1
    workbook.close()
    return count
