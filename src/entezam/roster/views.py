"""Roster import pages: upload, live progress (htmx), the finished report and its downloads."""

from __future__ import annotations

import io
import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from entezam.core.jobs import job_percent, job_rerun, live_progress
from entezam.core.models import Job

from .choices import ImportOutcome, Mode
from .columns import CHOICE_EXAMPLES, FIELDS, HEADER_ALIASES, REQUIRED_COLUMNS, TEMPLATE_EXAMPLE
from .forms import RosterUploadForm
from .reading import MAX_FILE_MEGABYTES
from .report import ERROR_PREVIEW, column_header, write_json_report, write_xlsx_report
from .selectors import importable_institutions, job_report, roster_job_access, roster_jobs
from .services import roster_import_start

NAME_NOTE = _("Letters, spaces, ZWNJ, hyphen and apostrophe.")
COLUMN_NOTES = {
    "national_code": _("10 digits; leading zeros may be missing."),
    "first_name": NAME_NOTE,
    "last_name": NAME_NOTE,
    "father_name": _("May be empty."),
    "birth_date": _("Jalali or Gregorian, or an Excel date."),
    "mobile": _("May be empty."),
    "military_service": _("Required for men; may be empty for women."),
}


def column_guide() -> list[dict]:
    return [
        {
            "name": name,
            "header": HEADER_ALIASES[name][0],
            "aliases": HEADER_ALIASES[name][1:4],
            "required": name in REQUIRED_COLUMNS,
            "values": CHOICE_EXAMPLES.get(name, []),
            "note": COLUMN_NOTES.get(name, ""),
        }
        for name in FIELDS
    ]


class RosterUploadView(LoginRequiredMixin, View):
    template_name = "roster/upload.html"

    def _render(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "columns": column_guide(),
                "recent_jobs": roster_jobs(request.user).filter(created_by=request.user)[:10],
                "max_megabytes": MAX_FILE_MEGABYTES,
            },
            status=status,
        )

    def _check(self, request):
        if not importable_institutions(request.user).exists():
            raise PermissionDenied(_("You may not import rosters."))

    def get(self, request):
        self._check(request)
        return self._render(request, RosterUploadForm(user=request.user))

    def post(self, request):
        self._check(request)
        form = RosterUploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self._render(request, form, status=400)
        job = roster_import_start(
            actor=request.user,
            institution=form.cleaned_data["institution"],
            upload=form.cleaned_data["file"],
            mode=form.cleaned_data["mode"],
        )
        return HttpResponseRedirect(reverse("roster:job", args=[job.pk]))


class RosterJobMixin(LoginRequiredMixin):
    def get_job(self) -> Job:
        return roster_job_access(user=self.request.user, pk=self.kwargs["pk"])


def progress_context(job: Job) -> dict:
    done, total = live_progress(job)
    percent = job_percent(job, done, total)
    result = job.result or {}
    headers = result.get("headers") or {}
    errors = [
        {**error, "header": column_header(error, headers)} for error in result.get("errors", [])
    ]
    return {
        "job": job,
        "done": done,
        "total": total,
        "percent": percent,
        "result": result,
        "errors": errors,
        "errors_hidden": max(0, result.get("error_count", 0) - len(errors)),
        "error_preview": ERROR_PREVIEW,
        "outcome": result.get("outcome", ""),
        "ImportOutcome": ImportOutcome,
        "mode_label": dict(Mode.CHOICES).get(job.params.get("mode"), ""),
    }


class RosterJobView(RosterJobMixin, View):
    def get(self, request, pk):
        job = self.get_job()
        return render(request, "roster/job.html", progress_context(job))


class RosterJobProgressView(RosterJobMixin, View):
    """The htmx fragment polled every second while the job runs."""

    def get(self, request, pk):
        job = self.get_job()
        return render(request, "roster/progress.html", progress_context(job))


class RosterJobRerunView(RosterJobMixin, View):
    """POST: run a failed import again from its kept file."""

    def post(self, request, pk):
        job = self.get_job()
        try:
            job_rerun(actor=request.user, job=job)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return HttpResponseRedirect(reverse("roster:job", args=[job.pk]))


class RosterReportView(RosterJobMixin, View):
    """The finished report, converted from the job's JSON-lines file as it is sent: `json`
    (the documented format) or `xlsx`; memory does not grow with the report."""

    COUNTS = ("rows", "created", "updated", "unchanged", "rejected")

    def get(self, request, pk, fmt):
        job = self.get_job()
        if fmt not in ("json", "xlsx") or not job.is_finished or not job.output_file:
            raise Http404
        stem = f"roster-report-{job.pk}"
        # FileResponse closes the spool once it has been sent.
        spool = tempfile.TemporaryFile()  # noqa: SIM115
        with job_report(job) as report:
            if report is None:
                raise Http404
            summary, problems = report
            counts = {name: summary.get(name, 0) for name in self.COUNTS}
            headers = summary.get("headers") or {}
            if fmt == "json":
                # Each problem also names its column as the file's header did.
                named = ({**p, "header": column_header(p, headers)} for p in problems)
                text = io.TextIOWrapper(spool, encoding="utf-8", write_through=True)
                write_json_report(counts, named, text)
                text.detach()
            else:
                write_xlsx_report({**counts, "errors": problems, "headers": headers}, spool)
        spool.seek(0)
        content_type = (
            "application/json; charset=utf-8"
            if fmt == "json"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        return FileResponse(
            spool, as_attachment=True, filename=f"{stem}.{fmt}", content_type=content_type
        )


class RosterTemplateView(LoginRequiredMixin, View):
    """An empty roster with the Persian headers and one example row, as XLSX."""

    def get(self, request):
        import xlsxwriter

        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        workbook = xlsxwriter.Workbook(spool, {"strings_to_numbers": False})
        sheet = workbook.add_worksheet("roster")
        sheet.right_to_left()
        header = workbook.add_format({"bold": True, "bg_color": "#E7EEF7"})
        text = workbook.add_format({"num_format": "@"})
        for column, name in enumerate(FIELDS):
            sheet.write_string(0, column, HEADER_ALIASES[name][0], header)
            sheet.write_string(1, column, TEMPLATE_EXAMPLE[name], text)
            sheet.set_column(column, column, 16, text)
        workbook.close()
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename="roster-template.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
