"""Exports of what a list page shows: XLSX (Persian headers, RTL sheet) and CSV (UTF-8
with BOM), its filters applied and its scope enforced by the caller's queryset.

A date column becomes two: the Jalali date as text and the ISO date. A cell that a
spreadsheet would run as a formula (`= + - @`, tab, CR) is neutralised with a leading
apostrophe. Every export is audited: who exported which list, with what filter, how many
rows.

An export of more rows than `EXPORT_INLINE_LIMIT` runs as a background job (`list_export`):
the job keeps only the list's address and query string, and re-resolves the view, its
filters and its user's scope inside the job; it streams the rows into a file in the job's
private storage, which only the user who asked may download.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .persian.jalali import format_jalali
from .persian.text import active_language
from .registry import Label

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("xlsx", "csv")
JOB_KIND = "list_export"
# A job keeps the list's query string; a longer one is no list's filter.
MAX_QUERY_LENGTH = 2000

INVALID_FILTER = gettext_lazy(
    "The list's filter is not valid, so it was not exported. Correct the filter on the list "
    "page and export again."
)
QUERY_TOO_LONG = gettext_lazy("The list's address is too long to export.")


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


def _counted(rows: Iterable, progress) -> Iterable:
    for row in rows:
        yield row
        progress.advance()


def _chain(first, rest):
    yield first
    yield from rest


def export_format(request: HttpRequest) -> str | None:
    """`xlsx` or `csv` when the request asks for an export (`?export=`), else None."""
    value = request.GET.get("export", "")
    return value if value in FORMATS else None


def _write(fmt: str, stream, *, title: str, columns: list[Column], rows: Iterable) -> int:
    if fmt == "csv":
        return write_csv(stream, columns=columns, rows=rows)
    return write_xlsx(stream, title=title, columns=columns, rows=rows)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _record_export(*, actor, spec: ExportSpec, fmt: str, count: int, job=None) -> None:
    changes: dict[str, Any] = {
        "list": spec.name,
        "format": fmt,
        "filters": spec.filters,
        "rows": count,
    }
    if job is not None:
        changes["job"] = job.pk
    audit.record(
        actor=actor,
        action="list.export",
        obj=None,
        target=(spec.object_type or spec.name, "", spec.title),
        changes=changes,
        role="",
    )


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
    count = _write(fmt, spool, title=title, columns=columns, rows=rows)
    spec = ExportSpec(
        name=name,
        title=title,
        columns=columns,
        queryset=None,
        rows=lambda queryset: queryset,
        filters=filters or {},
        object_type=object_type,
    )
    _record_export(
        actor=request.user if request.user.is_authenticated else None,
        spec=spec,
        fmt=fmt,
        count=count,
    )
    spool.seek(0)
    stamp = timezone.localdate().isoformat()
    return FileResponse(
        spool, as_attachment=True, filename=f"{name}-{stamp}.{fmt}", content_type=CONTENT_TYPES[fmt]
    )


# --- a list's export: inline up to the limit, a background job past it -------------------


@dataclass(frozen=True)
class ExportSpec:
    """What a list exports: its filtered, scoped, ordered rows and how to write them."""

    name: str
    title: str
    columns: list[Column]
    queryset: QuerySet | None
    # Decorates the (sliced) queryset into the rows the columns read, a chunk at a time.
    rows: Callable[[Any], Iterable]
    filters: dict
    object_type: str


class ExportRefused(ValidationError):
    """The request cannot be exported (an invalid filter); shown as a clean 400."""


def inline_limit() -> int:
    return int(settings.EXPORT_INLINE_LIMIT)


def job_limit() -> int:
    return int(settings.EXPORT_JOB_LIMIT)


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("export", None)
    return query.urlencode()


def export_list(request: HttpRequest, spec_of: Callable[[], ExportSpec | None]) -> HttpResponseBase:
    """The answer to `?export=` on a list: the file itself up to `EXPORT_INLINE_LIMIT` rows,
    else a background job and a redirect to its progress page. An invalid filter or an
    overlong address is a 400 page that says so (a refused export writes nothing)."""
    fmt = export_format(request) or "xlsx"
    try:
        spec = spec_of()
        query = _query_string(request)
        if len(query) > MAX_QUERY_LENGTH:
            raise ExportRefused(QUERY_TOO_LONG, code="query_too_long")
    except ExportRefused as exc:
        return render(request, "400.html", {"detail": exc.messages[0]}, status=400)
    if spec is None or spec.queryset is None:
        raise Http404
    limit = inline_limit()
    if spec.queryset[: limit + 1].count() <= limit:
        return export_response(
            request,
            name=spec.name,
            title=spec.title,
            columns=spec.columns,
            rows=spec.rows(spec.queryset[:limit]),
            filters=spec.filters,
            object_type=spec.object_type,
        )
    from .jobs import job_start

    user = request.user
    assert isinstance(user, AbstractBaseUser)  # the list views require a signed-in user
    job = job_start(
        actor=user,
        kind=JOB_KIND,
        params={
            "path": request.path,
            "query": query,
            "format": fmt,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "list": spec.name,
            "title": spec.title,
        },
    )
    return HttpResponseRedirect(reverse("core:export_job", args=[job.pk]))


def _request_of(job) -> tuple[HttpRequest, Any]:
    """The list request the job was started from, as its user, and the view's match."""
    params = job.params
    user = job.created_by
    if not user.is_active:
        raise PermissionDenied
    path = str(params["path"])
    try:
        match = resolve(path)
    except Resolver404:
        raise ExportRefused(INVALID_FILTER, code="unknown_list") from None
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(str(params.get("query", "")))
    request.user = user
    return request, match


def export_spec_of_job(job) -> ExportSpec:
    """Re-resolve the job's list from its address and query string, for its user: the
    same view, the same filters, the user's scope as it is now (never a stored queryset)."""
    request, match = _request_of(job)
    view_class = getattr(match.func, "view_class", None)
    export_spec = getattr(view_class, "export_spec", None)
    if view_class is None or export_spec is None:
        raise ExportRefused(INVALID_FILTER, code="unknown_list")
    view = view_class()
    view.setup(request, *match.args, **match.kwargs)
    spec = view.export_spec()
    if spec is None or spec.queryset is None:
        raise ExportRefused(INVALID_FILTER, code="unknown_list")
    return spec


def run_export_job(job, progress) -> dict:
    """`core.jobs` handler `list_export`: stream the list into the job's private file."""
    params = job.params
    fmt = params.get("format") if params.get("format") in FORMATS else "xlsx"
    with translation.override(params.get("language") or settings.LANGUAGE_CODE):
        spec = export_spec_of_job(job)
        assert spec.queryset is not None
        limit = job_limit()
        total = spec.queryset[: limit + 1].count()
        progress.set_total(min(total, limit))
        rows = _counted(spec.rows(spec.queryset[:limit]), progress)
        with tempfile.TemporaryFile() as spool:
            count = _write(fmt, spool, title=spec.title, columns=spec.columns, rows=rows)
            spool.seek(0)
            job.output_file.save(f"export-{job.pk}.{fmt}", File(spool), save=False)
        type(job).objects.filter(pk=job.pk).update(output_file=job.output_file.name)
        _record_export(actor=job.created_by, spec=spec, fmt=fmt, count=count, job=job)
    return {"rows": count, "format": fmt, "truncated": total > limit, "limit": limit}


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of background exports older than `EXPORT_KEEP_HOURS` (they hold
    what their user's scope showed, national codes included); returns how many."""
    from .models import Job

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=int(settings.EXPORT_KEEP_HOURS))
    expired = 0
    done = Job.objects.filter(kind=JOB_KIND, finished_at__lt=cutoff).exclude(output_file="")
    for job in done.iterator():
        job.output_file.storage.delete(job.output_file.name)
        Job.objects.filter(pk=job.pk).update(
            output_file="", result={**(job.result or {}), "expired": True}
        )
        expired += 1
    return expired


def exports_expire_task() -> str:
    """Periodic task `exports-expire`."""
    return str(exports_expire())
