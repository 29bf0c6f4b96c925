"""Roster import over the API: upload a file (202 and a job), then poll the job."""

from __future__ import annotations

from itertools import islice

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from entezam.core.api.pagination import StandardPagination
from entezam.core.jobs import live_progress
from entezam.core.models import Job

from .choices import Mode
from .reading import upload_problem
from .report import ERROR_PREVIEW
from .selectors import (
    importable_institution_access,
    importable_institutions,
    job_report,
    roster_job_access,
    roster_jobs,
)
from .services import roster_import_start

COUNTS = ("rows", "created", "updated", "unchanged", "rejected")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message_fa = serializers.CharField()
    message_en = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = RowErrorSerializer(many=True, help_text="the first problems")
    errors_url = serializers.URLField(help_text="every problem, paginated")


class ReportErrorsPagination(StandardPagination):
    """Pages of a report's problems, read from its file without loading it whole."""

    def paginate_stream(self, items, count: int, request) -> list:
        self.request = request
        size = self.get_page_size(request) or self.page_size
        try:
            number = int(request.query_params.get(self.page_query_param, 1))
        except (TypeError, ValueError):
            number = 1
        self.number, self.size, self.count = max(number, 1), size, count
        start = (self.number - 1) * size
        return list(islice(items, start, start + size))

    def get_paginated_response(self, data):
        def link(number):
            if number < 1 or (number - 1) * self.size >= self.count:
                return None
            return replace_query_param(
                self.request.build_absolute_uri(), self.page_query_param, number
            )

        return Response(
            {
                "count": self.count,
                "next": link(self.number + 1),
                "previous": link(self.number - 1),
                "results": data,
            }
        )


class RosterImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8 or Windows-1256) or XLSX, at most 50 MB")
    institution = serializers.CharField(help_text="registration number of the institution")
    mode = serializers.ChoiceField(choices=Mode.VALUES, default=Mode.ATOMIC)

    def validate_file(self, upload):
        problem = upload_problem(upload)
        if problem:
            # A Django ValidationError: the serializer reports it on this field.
            raise problem
        return upload


class RosterImportStartedSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status_url = serializers.URLField()


class RosterImportSerializer(serializers.ModelSerializer):
    """A roster-import job: status, progress, counts and, once finished, the report."""

    job = serializers.IntegerField(source="pk", read_only=True)
    institution = serializers.SerializerMethodField()
    mode = serializers.SerializerMethodField()
    file_name = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()
    report_urls = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "job",
            "status",
            "institution",
            "mode",
            "file_name",
            "created_at",
            "started_at",
            "finished_at",
            "progress",
            "outcome",
            "counts",
            "report",
            "report_urls",
            "error",
        ]
        read_only_fields = fields

    def get_institution(self, job) -> str:
        return job.params.get("institution", "")

    def get_mode(self, job) -> str:
        return job.params.get("mode", "")

    def get_file_name(self, job) -> str:
        return job.params.get("file_name", "")

    def get_progress(self, job) -> dict:
        done, total = live_progress(job)
        percent = 100 if job.status == Job.Status.SUCCEEDED else job.percent
        if not job.is_finished and total:
            percent = min(99, int(100 * done / total))
        return {"done": done, "total": total, "percent": percent}

    def get_outcome(self, job) -> str | None:
        return (job.result or {}).get("outcome")

    def get_counts(self, job) -> dict | None:
        result = job.result or {}
        if not result:
            return None
        return {name: result.get(name, 0) for name in COUNTS}

    @extend_schema_field(ReportSerializer(allow_null=True))
    def get_report(self, job) -> dict | None:
        """Counts and the first problems; every problem is at `errors_url` (paginated) and
        in the downloads."""
        if not self.context.get("with_report") or not job.is_finished:
            return None
        with job_report(job) as report:
            if report is None:
                return None
            summary, problems = report
            return {
                **{name: summary.get(name, 0) for name in COUNTS},
                "error_count": summary.get("error_count", 0),
                "errors": list(islice(problems, ERROR_PREVIEW)),
                "errors_url": self.context["request"].build_absolute_uri(
                    reverse("roster-api:errors", args=[job.pk])
                ),
            }

    def get_report_urls(self, job) -> dict | None:
        if not job.is_finished or not job.output_file:
            return None
        request = self.context["request"]
        return {
            fmt: request.build_absolute_uri(reverse("roster:report", args=[job.pk, fmt]))
            for fmt in ("json", "xlsx")
        }


class RosterImportListCreateView(generics.ListAPIView):
    """GET: your roster imports, newest first. POST: start one (multipart), answered with 202."""

    serializer_class = RosterImportSerializer
    pagination_class = StandardPagination
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return roster_jobs(self.request.user).select_related("created_by")

    @extend_schema(
        request=RosterImportCreateSerializer, responses={202: RosterImportStartedSerializer}
    )
    def post(self, request):
        if not importable_institutions(request.user).exists():
            raise exceptions.PermissionDenied()
        data = RosterImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        institution = importable_institution_access(
            user=request.user, registration_number=data.validated_data["institution"]
        )
        job = roster_import_start(
            actor=request.user,
            institution=institution,
            upload=data.validated_data["file"],
            mode=data.validated_data["mode"],
        )
        status_url = request.build_absolute_uri(reverse("roster-api:detail", args=[job.pk]))
        return Response({"job": job.pk, "status_url": status_url}, status=status.HTTP_202_ACCEPTED)


class RosterImportErrorsView(generics.GenericAPIView):
    """Every problem of a finished import's report, a page at a time (`page`, `page_size`)."""

    pagination_class = ReportErrorsPagination
    serializer_class = RowErrorSerializer

    def get_queryset(self):
        return roster_jobs(self.request.user)

    @extend_schema(responses=RowErrorSerializer(many=True))
    def get(self, request, pk):
        job = roster_job_access(user=request.user, pk=pk)
        if not job.is_finished:
            raise exceptions.NotFound()
        paginator = self.paginator
        with job_report(job) as report:
            if report is None:
                raise exceptions.NotFound()
            summary, problems = report
            page = paginator.paginate_stream(problems, summary.get("error_count", 0), request)
        return paginator.get_paginated_response(page)


class RosterImportDetailView(generics.RetrieveAPIView):
    """One roster import: status, progress, counts, and the full report once finished."""

    serializer_class = RosterImportSerializer

    def get_queryset(self):
        return roster_jobs(self.request.user).select_related("created_by")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_report": True}
