from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from entezam.core.audit import for_reader
from entezam.core.scoping import access, allowed_roles, can, parse_id
from entezam.core.selectors import object_history
from entezam.core.views import (
    ObjectDetailView,
    ObjectListView,
    ScopedViewMixin,
    apply_form_errors,
    hx_redirect,
)
from entezam.geo.models import Province
from entezam.institutions.choices import OPERATING_STATUSES
from entezam.institutions.models import Institution
from entezam.personnel.selectors import with_national_code_display

from . import selectors, services
from .choices import ADVANCES, SCREENABLE_STATUSES, ApplicationStatus, RuleKind, StandardStatus
from .filtersets import ApplicationFilterSet, StandardFilterSet
from .forms import (
    ApplicantForm,
    BackgroundCheckForm,
    MedicalCertificateForm,
    ReasonForm,
    ResultsFileForm,
    ScreenForm,
    StandardForm,
)
from .models import Application, BackgroundCheck, MedicalCertificate, Standard
from .rules import describe as describe_rule
from .tables import APPLICATION_COLUMNS, STANDARD_COLUMNS

# Screening this many applications or fewer runs in the request; more runs as a job.
INLINE_SCREEN_LIMIT = 2000


class PipelineView(LoginRequiredMixin, TemplateView):
    """The selection pipeline of everything in scope, one province or one institution."""

    template_name = "vetting/pipeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not allowed_roles(user, Application, "view"):
            raise PermissionDenied
        institution = province = None
        visible_institutions = Institution.objects.visible_to(user)
        if self.request.GET.get("institution"):
            institution = access(
                visible_institutions.select_related("province"),
                user=user,
                pk=self.request.GET["institution"],
            )
        elif self.request.GET.get("province"):
            province = access(
                Province.objects.filter(pk__in=visible_institutions.values("province")),
                user=user,
                pk=self.request.GET["province"],
            )
        board = selectors.pipeline_board(user=user, institution=institution, province=province)
        scope_query = (
            f"institution={institution.pk}"
            if institution
            else (f"province={province.pk}" if province else "")
        )
        context.update(
            board=board,
            institution=institution,
            province=province,
            scope_query=scope_query,
            provinces=Province.objects.filter(pk__in=visible_institutions.values("province")),
            can_screen=bool(allowed_roles(user, Application, "screen")),
            user_scope=selectors.scope_label(user),
            can_import=bool(allowed_roles(user, BackgroundCheck, "add")),
        )
        return context


class ScreenView(LoginRequiredMixin, View):
    """POST: screen open applications: one application, one institution, or (asked for
    explicitly with `scope=all`) everything in the user's scope; in the request, or as a
    job when many."""

    def post(self, request):
        if not allowed_roles(request.user, Application, "screen"):
            raise PermissionDenied
        form = ScreenForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(" ".join(form.errors.get("__all__", ["Bad request"])))
        data = form.cleaned_data
        institution = None
        if data["institution"] is not None:
            institution = access(Institution, user=request.user, pk=data["institution"])
        candidates = Application.objects.visible_to(request.user, "screen").filter(
            status__in=SCREENABLE_STATUSES
        )
        if institution is not None:
            candidates = candidates.filter(institution=institution)
        if data["application"] is not None:
            candidates = candidates.filter(
                pk=access(Application, user=request.user, pk=data["application"]).pk
            )
        target = data["next"] or reverse("vetting:pipeline")
        if not target.startswith("/") or target.startswith("//"):
            target = reverse("vetting:pipeline")
        if candidates.count() <= INLINE_SCREEN_LIMIT:
            report = services.applications_screen(
                actor=request.user,
                institution=institution,
                applications=candidates.values_list("pk", flat=True),
            )
            totals = report.totals()
            messages.success(
                request,
                _(
                    "Screened %(n)s: %(interview)s to interview, %(check)s to background check, "
                    "%(review)s need review, %(rejected)s rejected."
                )
                % {
                    "n": totals.get("screened", 0),
                    "interview": totals.get("interview", 0),
                    "check": totals.get("background_check", 0),
                    "review": totals.get("needs_review", 0),
                    "rejected": totals.get("rejected", 0),
                },
            )
        else:
            job = services.applications_screen_start(actor=request.user, institution=institution)
            messages.info(
                request, _("Screening started in the background (job %(id)s).") % {"id": job.pk}
            )
        return HttpResponseRedirect(target)


class ApplicationListView(ObjectListView):
    model = Application
    filterset_class = ApplicationFilterSet
    sort_fields = {
        "person": "person__search_name",
        "institution": "institution__search_name",
        "status": "status",
        "submitted_at": "submitted_at",
        "status_changed_at": "status_changed_at",
    }
    default_sort = "-submitted_at"
    export_name = "applications"
    export_columns = APPLICATION_COLUMNS

    def get_queryset(self):
        return super().get_queryset().select_related("person", "institution", "standard")


class ApplicantRegisterView(LoginRequiredMixin, View):
    """Register one applicant by hand (a one-row roster): person details and position."""

    template_name = "vetting/applicant_form.html"

    def _form(self, data=None):
        if not allowed_roles(self.request.user, Application, "add"):
            raise PermissionDenied
        institutions = Institution.objects.visible_to(self.request.user).filter(
            status__in=OPERATING_STATUSES
        )
        initial = {}
        wanted = parse_id(self.request.GET.get("institution"))
        if wanted is not None:
            initial["institution"] = institutions.filter(pk=wanted).first()
        return ApplicantForm(
            data, institutions=institutions, user=self.request.user, initial=initial
        )

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                application = services.applicant_register(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The application of %(person)s was opened; screening comes next.")
                    % {"person": application.person},
                )
                return HttpResponseRedirect(application.get_absolute_url())
        return render(request, self.template_name, {"form": form}, status=200)


class ApplicationDetailView(ObjectDetailView):
    model = Application

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("person", "institution", "institution__province", "standard")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context["object"]
        user = self.request.user
        actions = []
        if can(user, "advance", application):
            for target in ADVANCES.get(application.status, ()):
                actions.append(
                    {
                        "name": f"advance-{target}",
                        "label": ADVANCE_LABELS[target],
                        "style": "primary",
                    }
                )
        if application.status == ApplicationStatus.INTERVIEW and can(user, "decide", application):
            actions.append({"name": "approve", "label": _("Approve"), "style": "success"})
        if application.is_open and can(user, "decide", application):
            actions.append({"name": "reject", "label": _("Reject"), "style": "danger"})
        if application.is_open and can(user, "withdraw", application):
            actions.append({"name": "withdraw", "label": _("Withdraw"), "style": "secondary"})
        checks = BackgroundCheck.objects.visible_to(user).filter(person=application.person)
        context.update(
            rule_results=application.rule_results.select_related("rule"),
            steps=application.steps.select_related("actor"),
            actions=actions,
            can_screen=application.is_open and can(user, "screen", application),
            can_record_check=application.is_open and can(user, "record_check", application),
            can_record_medical=application.is_open
            and bool(allowed_roles(user, MedicalCertificate, "add")),
            can_view_checks=bool(allowed_roles(user, BackgroundCheck, "view")),
            checks=checks[:10],
            employment=application.person.employments.filter(end_date__isnull=True)
            .select_related("institution")
            .first(),
        )
        return context


ADVANCE_LABELS = {
    ApplicationStatus.BACKGROUND_CHECK: _("Send to background check"),
    ApplicationStatus.INTERVIEW: _("Send to interview"),
}
ACTION_TITLES = {
    "approve": _("Approve the application"),
    "reject": _("Reject the application"),
    "withdraw": _("Withdraw the application"),
    "advance-background_check": _("Send to background check"),
    "advance-interview": _("Send to interview"),
}


class ApplicationActionView(ScopedViewMixin, View):
    """GET: the reasons dialog (htmx fragment or page); POST: the decision service."""

    model = Application

    def dispatch(self, request, *args, **kwargs):
        if kwargs["action"] not in ACTION_TITLES:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _permission(self):
        action = self.kwargs["action"]
        if action.startswith("advance-"):
            return "advance"
        return "withdraw" if action == "withdraw" else "decide"

    def _reason_required(self, application) -> bool:
        action = self.kwargs["action"]
        if action in ("reject", "withdraw"):
            return True
        return action.startswith("advance-") and application.status == "screening"

    def _render(self, application, form, status=200):
        template = (
            "vetting/action_modal.html"
            if self.request.headers.get("HX-Request")
            else "vetting/action_page.html"
        )
        return render(
            self.request,
            template,
            {
                "object": application,
                "form": form,
                "action": self.kwargs["action"],
                "action_label": ACTION_TITLES[self.kwargs["action"]],
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        application = self.get_object(self._permission())
        return self._render(application, ReasonForm(required=self._reason_required(application)))

    def post(self, request, *args, **kwargs):
        application = self.get_object(self._permission())
        form = ReasonForm(request.POST, required=self._reason_required(application))
        action = kwargs["action"]
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                if action.startswith("advance-"):
                    services.application_advance(
                        actor=request.user,
                        application=application,
                        to_status=action.removeprefix("advance-"),
                        note=reason,
                    )
                elif action == "withdraw":
                    services.application_withdraw(
                        actor=request.user, application=application, reason=reason
                    )
                else:
                    services.application_decide(
                        actor=request.user,
                        application=application,
                        approve=action == "approve",
                        reason=reason,
                    )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(
                    request, _("Done: %(action)s.") % {"action": ACTION_TITLES[action]}
                )
                return hx_redirect(request, application.get_absolute_url())
        return self._render(
            application, form, status=422 if request.headers.get("HX-Request") else 200
        )


class BackgroundCheckRecordView(ScopedViewMixin, View):
    """An officer records a background-check result for the applicant (manual provider)."""

    model = Application
    template_name = "vetting/check_form.html"

    def _application(self):
        return self.get_object("record_check")

    def _render(self, application, form):
        # The applicant's code in full when the reader's task (or role) allows it.
        person = with_national_code_display(self.request.user, [application.person])[0]
        return render(
            self.request,
            self.template_name,
            {"object": application, "form": form, "person": person},
        )

    def get(self, request, *args, **kwargs):
        return self._render(self._application(), BackgroundCheckForm())

    def post(self, request, *args, **kwargs):
        application = self._application()
        form = BackgroundCheckForm(request.POST)
        if form.is_valid():
            try:
                services.background_check_record(
                    actor=request.user, person=application.person, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("The background check was recorded."))
                return HttpResponseRedirect(application.get_absolute_url())
        return self._render(application, form)


class MedicalCertificateRecordView(ScopedViewMixin, View):
    """Record the medical fitness certificate an applicant presented."""

    model = Application
    template_name = "vetting/medical_form.html"

    def _application(self):
        application = self.get_object()
        if not allowed_roles(self.request.user, MedicalCertificate, "add"):
            raise PermissionDenied
        return application

    def get(self, request, *args, **kwargs):
        application = self._application()
        return render(
            request, self.template_name, {"object": application, "form": MedicalCertificateForm()}
        )

    def post(self, request, *args, **kwargs):
        application = self._application()
        form = MedicalCertificateForm(request.POST)
        if form.is_valid():
            try:
                services.medical_certificate_record(
                    actor=request.user, person=application.person, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("The medical certificate was recorded."))
                return HttpResponseRedirect(application.get_absolute_url())
        return render(request, self.template_name, {"object": application, "form": form})


class BackgroundCheckImportView(LoginRequiredMixin, View):
    template_name = "vetting/check_import.html"

    def _allowed(self):
        if not allowed_roles(self.request.user, BackgroundCheck, "add"):
            raise PermissionDenied

    def get(self, request):
        self._allowed()
        return render(request, self.template_name, {"form": ResultsFileForm()})

    def post(self, request):
        self._allowed()
        form = ResultsFileForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = services.background_checks_import(
                actor=request.user, content=upload.read(), filename=upload.name
            )
            messages.success(
                request,
                _(
                    "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(rejected)s rows rejected."
                )
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": len(report.errors),
                },
            )
        return render(request, self.template_name, {"form": form, "report": report})


class StandardListView(ObjectListView):
    model = Standard
    filterset_class = StandardFilterSet
    paginate_by = 50
    sort_fields = {"code": "code", "status": "status"}
    export_name = "standards"
    export_columns = STANDARD_COLUMNS

    def get_queryset(self):
        return super().get_queryset().prefetch_related("rules").order_by("code", "-version")


class StandardDetailView(ObjectDetailView):
    model = Standard

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standard = context["object"]
        user = self.request.user
        report = standard.activation_report or {}
        failing = {row["application"]: row["failed"] for row in report.get("would_fail", [])}
        would_fail = []
        if failing:
            # Only the people the reader may see are listed; the total stays for HQ.
            for application in (
                Application.objects.visible_to(user)
                .filter(pk__in=list(failing))
                .select_related("person", "institution")
                .order_by("institution__search_name", "person__search_name")
            ):
                would_fail.append(
                    {
                        "application": application,
                        "failed": [
                            {
                                "kind": RuleKind(item["kind"]).label,
                                "detail": describe_rule(item["detail"], item["params"]),
                            }
                            for item in failing[application.pk]
                        ],
                    }
                )
        context.update(
            rules=standard.rules.all(),
            can_change=standard.status == StandardStatus.DRAFT and can(user, "change", standard),
            can_activate=standard.status == StandardStatus.DRAFT
            and can(user, "activate", standard),
            can_new_version=standard.status != StandardStatus.DRAFT
            and bool(allowed_roles(user, Standard, "add"))
            and not Standard.objects.filter(code=standard.code, status="draft").exists(),
            report=report,
            would_fail=would_fail,
            application_count=standard.applications.count(),
            history=for_reader(object_history(standard), self.request.user),
        )
        return context


class StandardEditView(ScopedViewMixin, View):
    """Create a draft (optionally from an existing version: `?from=<pk>`) or edit one."""

    model = Standard
    template_name = "vetting/standard_form.html"

    def _target(self):
        if "pk" not in self.kwargs:
            if not allowed_roles(self.request.user, Standard, "add"):
                raise PermissionDenied
            return None
        standard = self.get_object()
        if not can(self.request.user, "change", standard) or standard.status != "draft":
            raise PermissionDenied
        return standard

    def _render(self, form, standard):
        return render(self.request, self.template_name, {"form": form, "object": standard})

    def get(self, request, *args, **kwargs):
        standard = self._target()
        source = standard
        source_id = parse_id(request.GET.get("from")) if standard is None else None
        if source_id is not None:
            source = self.get_queryset().filter(pk=source_id).first()
        form = StandardForm(standard=source)
        if standard is None and source is not None:
            form.initial["effective_date"] = None
        return self._render(form, standard)

    def post(self, request, *args, **kwargs):
        standard = self._target()
        form = StandardForm(request.POST, standard=standard)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if standard is None:
                    result = services.standard_create_draft(
                        actor=request.user,
                        code=data["code"],
                        title=data["title"],
                        positions=data["positions"],
                        effective_date=data["effective_date"],
                        rules=form.rules(),
                    )
                else:
                    result = services.standard_update_draft(
                        actor=request.user,
                        standard=standard,
                        title=data["title"],
                        positions=data["positions"],
                        effective_date=data["effective_date"],
                        rules=form.rules(),
                    )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(result.get_absolute_url())
        return self._render(form, standard)


class StandardActivateView(ScopedViewMixin, View):
    model = Standard

    def get(self, request, *args, **kwargs):
        standard = self.get_object("activate")
        template = (
            "vetting/activate_modal.html"
            if request.headers.get("HX-Request")
            else "vetting/activate_page.html"
        )
        current = Standard.objects.filter(code=standard.code, status="active").first()
        return render(request, template, {"object": standard, "current": current, "errors": []})

    def post(self, request, *args, **kwargs):
        standard = self.get_object("activate")
        try:
            services.standard_activate(actor=request.user, standard=standard)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("The standard is active."))
        return hx_redirect(request, standard.get_absolute_url())
