"""Generic scoped views: every object a view reaches comes through `visible_to`.

Apps subclass these and name their model, filterset, form and service; the views stay
thin (NetBox's generic views, reduced to what Entezam needs).
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from django_filters import FilterSet

from .audit import for_reader, for_reader_iter
from .exports import (
    CONTENT_TYPES,
    INVALID_FILTER,
    Column,
    ExportRefused,
    ExportSpec,
    export_format,
    export_list,
)
from .filtersets import AuditEventFilterSet
from .jobs import job_percent, live_progress
from .models import AuditEvent, Job
from .pagination import COUNT_CAP, paginate
from .scoping import access, allowed_roles, can, scoped_rows
from .selectors import export_job_access, home_panels, object_history, object_panels


def hx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Go to `url` after a write: a redirect, or for htmx an empty answer with `HX-Redirect`
    (a 302 would be followed inside the request and its page swapped into the dialog)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def apply_form_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ScopedViewMixin(LoginRequiredMixin):
    model: type[models.Model]
    action = "view"
    # Set by the view this mixes into.
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_queryset(self):
        return scoped_rows(self.model).visible_to(self.request.user, self.action)

    def get_object(self, action: str = "view"):
        """The object of the URL's `pk`: 404 outside the user's view, 403 without `action`."""
        return access(
            self.get_queryset(), user=self.request.user, pk=self.kwargs.get("pk"), action=action
        )


class ObjectListView(ScopedViewMixin, TemplateView):
    """A scoped, filtered, sorted list. Counts stop at `count_cap` rows; a longer list is
    paged by keyset cursors (`?after=` / `?before=`), so every page costs what the first
    costs (see core/pagination.py)."""

    filterset_class: type[FilterSet]
    paginate_by = 25
    # Sort key (from ?sort=) -> field or fields, ascending; "-key" sorts descending.
    sort_fields: dict[str, str | tuple[str, ...]] = {}
    default_sort = ""
    count_cap: int = COUNT_CAP
    # What `?export=xlsx|csv` writes: the rows the page shows, with its filters and scope.
    export_columns: list[Column] = []
    export_name = ""

    def get_template_names(self):
        headers = self.request.headers
        if headers.get("HX-Request") and headers.get("HX-Target") == "object-table":
            return [f"{self.model._meta.app_label}/{self.model._meta.model_name}_table.html"]
        return [f"{self.model._meta.app_label}/{self.model._meta.model_name}_list.html"]

    def sorted_rows(self, queryset: QuerySet, sort: str) -> QuerySet:
        key = sort.lstrip("-")
        if key not in self.sort_fields:
            return queryset
        fields = self.sort_fields[key]
        fields = (fields,) if isinstance(fields, str) else fields
        sign = "-" if sort.startswith("-") else ""
        return queryset.order_by(*[f"{sign}{field}" for field in fields], f"{sign}pk")

    def filtered(self):
        """(filterset, the filtered and sorted rows, the sort key) of this request."""
        queryset = self.get_queryset()
        filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        sort = self.request.GET.get("sort", self.default_sort)
        if sort.lstrip("-") not in self.sort_fields:
            sort = self.default_sort
        return filterset, self.sorted_rows(queryset, sort), sort

    def get(self, request, *args, **kwargs):
        if self.export_columns and export_format(request):
            return export_list(request, self.export_spec)
        return super().get(request, *args, **kwargs)

    def export_spec(self) -> ExportSpec | None:
        """What `?export=` writes: the rows this request's page shows (its filters and the
        user's scope), in a stable order. Also re-resolved inside a background export."""
        if not self.export_columns:
            return None
        filterset, queryset, _sort = self.filtered()
        _refuse_invalid(filterset)
        meta = self.model._meta
        if not queryset.query.order_by:
            queryset = queryset.order_by("pk")
        return ExportSpec(
            name=self.export_name or str(meta.model_name),
            title=str(meta.verbose_name_plural),
            columns=self.export_columns,
            queryset=queryset,
            rows=self.export_rows,
            filters=_applied_filters(filterset),
            object_type=meta.label_lower,
        )

    def export_rows(self, queryset):
        """The exported rows (a subclass may decorate them, a chunk at a time)."""
        return queryset.iterator(chunk_size=2000)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, queryset, sort = self.filtered()
        page = paginate(self.request, queryset, self.paginate_by, cap=self.count_cap)
        params = [
            (k, v)
            for k, v in self.request.GET.items()
            if k not in ("page", "after", "before", "export") and v
        ]
        context.update(
            filterset=filterset,
            filter_form=filterset.form,
            page_obj=page,
            object_list=page.object_list,
            sort=sort,
            query_without_page=urlencode(params),
            query_without_sort=urlencode([(k, v) for k, v in params if k != "sort"]),
            can_add=bool(allowed_roles(self.request.user, self.model, "add")),
            export_query=urlencode([(k, v) for k, v in params if k != "sort"])
            if self.export_columns
            else None,
        )
        return context


class ObjectDetailView(ScopedViewMixin, TemplateView):
    def get_template_names(self):
        return [f"{self.model._meta.app_label}/{self.model._meta.model_name}_detail.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.get_object()
        context.update(
            object=obj,
            history=for_reader(object_history(obj), self.request.user),
            can_change=can(self.request.user, "change", obj),
            panels=object_panels(self.request, obj),
        )
        return context


class _HasPage(Protocol):
    def get_absolute_url(self) -> str: ...


class ObjectEditView(ScopedViewMixin, View):
    """Create (no pk) or update (pk) through a service; errors land on the form.

    Subclasses define `create(form)` and `update(obj, form)`, each calling a service.
    """

    form_class: type[ModelForm]
    template_name = "core/object_edit.html"
    # The list the breadcrumbs lead back through (a URL name).
    list_url_name = ""

    def create(self, form: Any) -> _HasPage:
        raise NotImplementedError

    def update(self, obj: models.Model, form: Any) -> _HasPage:
        raise NotImplementedError

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def _target(self):
        if "pk" not in self.kwargs:
            if not allowed_roles(self.request.user, self.model, "add"):
                raise PermissionDenied
            return None
        obj = self.get_object()
        if not can(self.request.user, "change", obj):
            raise PermissionDenied
        return obj

    def render(self, form, obj):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": obj,
                "model_meta": self.model._meta,
                "list_url": reverse(self.list_url_name) if self.list_url_name else "",
            },
        )

    def get(self, request, *args, **kwargs):
        obj = self._target()
        return self.render(self.form_class(instance=obj, **self.get_form_kwargs()), obj)

    def post(self, request, *args, **kwargs):
        obj = self._target()
        # The form works on its own copy; the service reads the stored object itself.
        instance = type(obj).objects.get(pk=obj.pk) if obj else None
        form = self.form_class(request.POST, instance=instance, **self.get_form_kwargs())
        if form.is_valid():
            try:
                result = self.update(obj, form) if obj else self.create(form)
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(result.get_absolute_url())
        return self.render(form, obj)


class HomeView(LoginRequiredMixin, TemplateView):
    """The home page: the panels each app registered for this user."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = home_panels(self.request)
        return context


class AuditListView(LoginRequiredMixin, TemplateView):
    """The audit log: filtered by date range, actor, action, object type and scope; the
    same filters export it (XLSX or CSV)."""

    template_name = "core/audit_list.html"

    def filtered(self):
        events: QuerySet[AuditEvent] = AuditEvent.objects.visible_to(self.request.user)
        filterset = AuditEventFilterSet(
            self.request.GET or None, queryset=events, request=self.request
        )
        if filterset.is_bound and filterset.is_valid():
            events = filterset.qs
        return filterset, events

    def get(self, request, *args, **kwargs):
        if export_format(request):
            return export_list(request, self.export_spec)
        return super().get(request, *args, **kwargs)

    def export_spec(self) -> ExportSpec:
        filterset, events = self.filtered()
        _refuse_invalid(filterset)
        user = self.request.user
        return ExportSpec(
            name="audit-log",
            title=str(_("Audit log")),
            columns=AUDIT_COLUMNS,
            queryset=events.order_by("-id"),
            rows=lambda queryset: for_reader_iter(queryset.iterator(chunk_size=2000), user),
            filters=_applied_filters(filterset),
            object_type="core.auditevent",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, events = self.filtered()
        page = paginate(self.request, events.order_by("-id"), 50)
        skip = ("page", "after", "before", "export")
        params = [(k, v) for k, v in self.request.GET.items() if k not in skip and v]
        query = urlencode(params)
        context.update(
            filter_form=filterset.form,
            page_obj=page,
            history=for_reader(page.object_list, self.request.user),
            show_object=True,
            query_without_page=query,
            export_url=f"?{query}&export=xlsx" if query else "?export=xlsx",
            export_csv_url=f"?{query}&export=csv" if query else "?export=csv",
        )
        return context


def _refuse_invalid(filterset) -> None:
    if filterset.is_bound and not filterset.is_valid():
        raise ExportRefused(INVALID_FILTER, code="invalid_filter")


def _applied_filters(filterset) -> dict:
    if not (filterset.is_bound and filterset.is_valid()):
        return {}
    return {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "", [])}


def _changes_text(event) -> str:
    rows = event.changes_display()
    return "؛ ".join(
        f"{strip_tags(row['label'])}: "
        + (f"{strip_tags(row['old'])} ← " if row["old"] is not None else "")
        + strip_tags(row["new"])
        for row in rows
    )


AUDIT_COLUMNS = [
    Column(_("Time"), lambda e: e.time),
    Column(_("By"), lambda e: e.actor_name),
    Column(_("Role"), lambda e: e.get_role_display() if e.role else ""),
    Column(_("Action"), lambda e: e.get_action_display()),
    Column(_("About"), lambda e: e.object_type_display()),
    Column(_("Object"), lambda e: e.object_repr),
    Column(_("Changes"), _changes_text),
    Column(_("Reason"), lambda e: e.reason),
]


# --- a large export's job: its progress page and its file ---------------------------------


def export_job_context(job) -> dict:
    done, total = live_progress(job)
    params = job.params
    query = params.get("query", "")
    return {
        "job": job,
        "done": done,
        "total": total,
        "percent": job_percent(job, done, total),
        "result": job.result or {},
        "list_url": f"{params.get('path', '/')}?{query}" if query else params.get("path", "/"),
        "format_label": str(params.get("format", "xlsx")).upper(),
        "keep_hours": settings.EXPORT_KEEP_HOURS,
    }


class ExportJobView(LoginRequiredMixin, View):
    """The progress of a large export (rows done of total, a bar), then its download."""

    template_name = "core/export_job.html"

    def get(self, request, pk):
        job = export_job_access(user=request.user, pk=pk)
        return render(request, self.template_name, export_job_context(job))


class ExportJobProgressView(LoginRequiredMixin, View):
    """The htmx fragment polled every second while the export runs."""

    def get(self, request, pk):
        job = export_job_access(user=request.user, pk=pk)
        return render(request, "core/export_progress.html", export_job_context(job))


class ExportJobDownloadView(LoginRequiredMixin, View):
    """The finished export's file, to the user who asked only."""

    def get(self, request, pk):
        job = export_job_access(user=request.user, pk=pk)
        if job.status != Job.Status.SUCCEEDED or not job.output_file:
            raise Http404
        fmt = job.result.get("format", "xlsx")
        stamp = timezone.localdate(job.finished_at).isoformat() if job.finished_at else ""
        name = job.params.get("list", "export")
        return FileResponse(
            job.output_file.open("rb"),
            as_attachment=True,
            filename=f"{name}-{stamp}.{fmt}",
            content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"),
        )


# --- error pages: JSON under /api/, the site's pages elsewhere ---------------------------

API_PREFIX = "/api/"


def _error(request, status: int, detail: str, template: str):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": detail}, status=status)
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, str(_("Bad request.")), "400.html")


def permission_denied(request, exception=None):
    return _error(request, 403, str(_("You may not do this.")), "403.html")


def page_not_found(request, exception=None):
    return _error(request, 404, str(_("Not found.")), "404.html")


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(_("Server error."))}, status=500)
    return render(request, "500.html", status=500)
