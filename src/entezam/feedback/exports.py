"""The XLSX export of the feedback statistics."""

from __future__ import annotations

from django.utils.translation import gettext as _

from entezam.core.persian.jalali import format_jalali
from entezam.core.persian.text import active_language

from .choices import Category

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = str(value or "")
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_statistics_xlsx(stats, stream) -> None:
    """One sheet of totals and shares, one per month, one per ranking (province, institution,
    police unit) with the counts, the appreciation share, its 95% interval and whether the
    row has enough messages to compare."""
    import xlsxwriter

    digits = active_language()
    workbook = xlsxwriter.Workbook(
        stream,
        {"in_memory": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    bold = workbook.add_format({"bold": True})
    percent = workbook.add_format({"num_format": "0.0%"})

    def sheet(title):
        ws = workbook.add_worksheet(title[:31])
        if digits == "fa":
            ws.right_to_left()
        return ws

    summary = sheet(_("Summary"))
    summary.set_column(0, 0, 40)
    rows = [
        (_("From"), format_jalali(stats.start, digits=digits)),
        (_("To"), format_jalali(stats.end, digits=digits)),
        (_("Messages"), stats.total),
        (_("Deadline missed"), stats.breached),
        (_("Disputed"), stats.disputed),
        (_("Urgent"), stats.urgent),
        (
            _("Median hours to resolve"),
            round(stats.median_hours_to_resolve, 1) if stats.median_hours_to_resolve else "",
        ),
    ]
    for row, (label, value) in enumerate(rows):
        summary.write_string(row, 0, label, bold)
        if isinstance(value, int | float):
            summary.write_number(row, 1, value)
        else:
            summary.write_string(row, 1, _cell(value))
    start = len(rows) + 1
    summary.write_string(start, 0, _("Category"), bold)
    summary.write_string(start, 1, _("Messages"), bold)
    summary.write_string(start, 2, _("Share"), bold)
    for offset, (code, label) in enumerate(Category.choices, start=1):
        summary.write_string(start + offset, 0, str(label))
        summary.write_number(start + offset, 1, stats.by_category[code])
        summary.write_number(start + offset, 2, stats.shares[code], percent)

    months = sheet(_("Months"))
    months.write_string(0, 0, _("Month"), bold)
    for column, (_code, label) in enumerate(Category.choices, start=1):
        months.write_string(0, column, str(label), bold)
    for row, month in enumerate(stats.months, start=1):
        months.write_string(row, 0, month["month"])
        for column, code in enumerate(Category.values, start=1):
            months.write_number(row, column, month[code])

    for title, ranking in (
        (_("Provinces"), stats.provinces),
        (_("Institutions"), stats.institutions),
        (_("Police units"), stats.police_units),
    ):
        ws = sheet(title)
        ws.set_column(0, 0, 40)
        headers = [
            _("Name"),
            _("Messages"),
            _("Appreciation"),
            _("Complaints"),
            _("Appreciation share"),
            _("Interval low"),
            _("Interval high"),
            _("Ranked"),
        ]
        for column, header in enumerate(headers):
            ws.write_string(0, column, header, bold)
        for row, item in enumerate(ranking, start=1):
            ws.write_string(row, 0, _cell(item.name))
            ws.write_number(row, 1, item.total)
            ws.write_number(row, 2, item.appreciation)
            ws.write_number(row, 3, item.complaints)
            ws.write_number(row, 4, item.share, percent)
            ws.write_number(row, 5, item.low, percent)
            ws.write_number(row, 6, item.high, percent)
            ws.write_string(row, 7, _("Yes") if item.comparable else _("Too few to compare"))
    workbook.close()
