"""Exports of what a list page shows: XLSX (Persian headers, RTL sheet) and CSV (UTF-8
with BOM), its filters applied and its scope enforced by the caller's queryset.

A date column becomes two: the Jalali date as text and the ISO date. A cell that a
spreadsheet would run as a formula (`= + - @`, tab, CR) is neutralised with a leading
apostrophe. Every export is audited: who exported which list, with what filter, how many
rows.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .persian.jalali import format_jalali
from .persian.text import active_language
from .registry import Label

EXPORT_LIMIT = 50_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("xlsx", "csv")


def neutralise(value: Any) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class Column:
    header: Label
    value: Callable[[Any], Any]
    width: int = 20


def _cells(columns: list[Column], row, digits: Literal["fa", "en"]) -> list[str]:
    cells: list[str] = []
    for column in columns:
        value = column.value(row)
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            cells += [format_jalali(local, "datetime", digits=digits), local.isoformat()]
        elif isinstance(value, datetime.date):
            cells += [format_jalali(value, digits=digits), value.isoformat()]
        elif isinstance(value, bool):
            cells.append(_("Yes") if value else _("No"))
        else:
            cells.append(neutralise(value))
    return cells


def _headers(columns: list[Column], sample) -> list[str]:
    headers: list[str] = []
    for column in columns:
        value = column.value(sample) if sample is not None else None
        headers.append(str(column.header))
        if isinstance(value, datetime.date):
            headers.append(f"{column.header} (ISO)")
    return headers


def write_xlsx(stream, *, title: str, columns: list[Column], rows: Iterable) -> int:
    """Write the rows as one RTL (in Persian) sheet; returns how many rows were written."""
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
    sheet = workbook.add_worksheet(neutralise(title)[:31].strip("'") or "Sheet1")
    if digits == "fa":
        sheet.right_to_left()
    bold = workbook.add_format({"bold": True})
    iterator = iter(rows)
    first = next(iterator, None)
    for column, header in enumerate(_headers(columns, first)):
        sheet.set_column(column, column, 22)
        sheet.write_string(0, column, header, bold)
    count = 0
    if first is not None:
        for number, row in enumerate(_chain(first, iterator), start=1):
            for column, cell in enumerate(_cells(columns, row, digits)):
                sheet.write_string(number, column, cell)
            count += 1
    workbook.close()
    return count


def write_csv(stream, *, columns: list[Column], rows: Iterable) -> int:
    """UTF-8 with a BOM (Excel reads Persian text right); returns how many rows."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    digits = active_language()
    iterator = iter(rows)
    first = next(iterator, None)
    writer.writerow(_headers(columns, first))
    count = 0
    if first is not None:
        for row in _chain(first, iterator):
            writer.writerow(_cells(columns, row, digits))
            count += 1
    text.flush()
    text.detach()
    return count


def _chain(first, rest):
    yield first
    yield from rest


def export_format(request: HttpRequest) -> str | None:
    """`xlsx` or `csv` when the request asks for an export (`?export=`), else None."""
    value = request.GET.get("export", "")
    return value if value in FORMATS else None


def export_response(
    request: HttpRequest,
    *,
    name: str,
    title: str,
    columns: list[Column],
    rows: Iterable,
    filters: dict | None = None,
    object_type: str = "",
) -> FileResponse:
    """The rows as a download in the requested format, the export audited."""
    fmt = export_format(request) or "xlsx"
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    if fmt == "csv":
        count = write_csv(spool, columns=columns, rows=rows)
        content_type = "text/csv; charset=utf-8"
    else:
        count = write_xlsx(spool, title=title, columns=columns, rows=rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record(
        actor=request.user if request.user.is_authenticated else None,
        action="list.export",
        obj=None,
        target=(object_type or name, "", title),
        changes={"list": name, "format": fmt, "filters": filters or {}, "rows": count},
        role="",
    )
    spool.seek(0)
    stamp = timezone.localdate().isoformat()
    return FileResponse(
        spool, as_attachment=True, filename=f"{name}-{stamp}.{fmt}", content_type=content_type
    )
