"""The background-check results template: the headers the import reads, in Persian, and
an example row, as XLSX."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse

from entezam.core.scoping import allowed_roles

from .models import BackgroundCheck
from .providers import FILE_COLUMNS, HEADER_ALIASES

# One example row (a valid national code; result and date as the office writes them).
TEMPLATE_EXAMPLE = {
    "national_code": "0499370899",
    "result": "پاک",
    "reference": "R-1404-0001",
    "checked_on": "1404/01/15",
    "detail": "",
}


@login_required
def check_template_view(request):
    if not allowed_roles(request.user, BackgroundCheck, "add"):
        raise PermissionDenied
    import xlsxwriter

    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook = xlsxwriter.Workbook(spool, {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("results")
    sheet.right_to_left()
    header = workbook.add_format({"bold": True, "bg_color": "#E7EEF7"})
    text = workbook.add_format({"num_format": "@"})
    for column, name in enumerate(FILE_COLUMNS):
        sheet.write_string(0, column, HEADER_ALIASES[name][1], header)
        sheet.write_string(1, column, TEMPLATE_EXAMPLE[name], text)
        sheet.set_column(column, column, 18, text)
    workbook.close()
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename="background-check-results-template.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
