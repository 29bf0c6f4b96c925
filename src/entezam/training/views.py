"""Training pages: courses, sessions (list and Jalali calendar), a session's enrolments
with the trainer's attendance and score sheet, certificates, and the lapsing list."""

from __future__ import annotations

import datetime
import io

import jdatetime
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from entezam.core.lookups import lookup_choice
from entezam.core.persian import format_jalali, to_ascii_digits
from entezam.core.persian.jalali import MONTHS_EN, MONTHS_FA, days_in_month
from entezam.core.persian.text import active_language
from entezam.core.scoping import access, can, parse_id
from entezam.core.selectors import object_history, object_panels
from entezam.core.views import ObjectDetailView, ObjectEditView, ObjectListView, apply_form_errors
from entezam.institutions.models import Institution
from entezam.personnel.models import Person

from . import services
from .choices import LAPSING_WINDOWS, SESSION_TRANSITIONS, EnrolmentResult
from .filtersets import CertificateFilterSet, CourseFilterSet, SessionFilterSet
from .forms import BulkEnrolForm, CourseForm, EnrolForm, ReasonForm, SessionForm
from .models import ACTIVE_ENROLMENT, Certificate, Course, Enrolment, Session
from .selectors import lapsing_certificates, session_access, with_seats_taken

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The Jalali week starts on Saturday.
WEEKDAYS = [
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
]


class CourseListView(ObjectListView):
    model = Course
    filterset_class = CourseFilterSet
    sort_fields = {"code": "code", "title": "title"}
    default_sort = "code"


class CourseDetailView(ObjectDetailView):
    model = Course

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        course = context["object"]
        context.update(
            prerequisites=course.prerequisites.all(),
            versions=course.syllabus_versions.all()[:20],
            sessions=with_seats_taken(
                Session.objects.visible_to(self.request.user).filter(course=course)
            ).select_related("province")[:20],
        )
        return context


class CourseEditView(ObjectEditView):
    list_url_name = "training:course_list"
    model = Course
    form_class = CourseForm

    def _data(self, form):
        data = {name: form.cleaned_data[name] for name in services.COURSE_FIELDS}
        data["mandatory_for"] = list(data["mandatory_for"])
        return data

    def create(self, form):
        return services.course_create(
            actor=self.request.user,
            prerequisites=list(form.cleaned_data["prerequisites"]),
            syllabus=form.cleaned_data["syllabus"],
            **self._data(form),
        )

    def update(self, obj, form):
        return services.course_update(
            actor=self.request.user,
            course=obj,
            prerequisites=list(form.cleaned_data["prerequisites"]),
            syllabus=form.cleaned_data["syllabus"],
            **self._data(form),
        )


class SessionListView(ObjectListView):
    model = Session
    filterset_class = SessionFilterSet
    sort_fields = {"start": "start_date"}
    default_sort = "-start"

    def get_queryset(self):
        return with_seats_taken(super().get_queryset().select_related("course", "province"))


class SessionEditView(ObjectEditView):
    list_url_name = "training:session_list"
    model = Session
    form_class = SessionForm

    def _data(self, form):
        return {name: form.cleaned_data[name] for name in services.SESSION_FIELDS}

    def create(self, form):
        return services.session_create(
            actor=self.request.user,
            trainers=list(form.cleaned_data["trainers"]),
            **self._data(form),
        )

    def update(self, obj, form):
        return services.session_update(
            actor=self.request.user,
            session=obj,
            trainers=list(form.cleaned_data["trainers"]),
            **self._data(form),
        )


def jalali_month(value: str | None) -> tuple[int, int]:
    """(year, month) from `1404-09` (Persian digits welcome); this month otherwise."""
    text = to_ascii_digits(value or "").strip()
    parts = text.split("-")
    if len(parts) == 2 and all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        year, month = int(parts[0]), int(parts[1])
        if 1300 <= year <= 1500 and 1 <= month <= 12:
            return year, month
    today = jdatetime.date.today()
    return today.year, today.month


class SessionCalendarView(LoginRequiredMixin, TemplateView):
    """One Jalali month, weeks from Saturday, with the sessions held on each day."""

    template_name = "training/session_calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = jalali_month(self.request.GET.get("month"))
        first = jdatetime.date(year, month, 1).togregorian()
        length = days_in_month(year, month)
        last = first + datetime.timedelta(days=length - 1)
        sessions = list(
            Session.objects.visible_to(self.request.user)
            .filter(start_date__lte=last, end_date__gte=first)
            .exclude(status="cancelled")
            .select_related("course")
            .order_by("start_date", "pk")[:300]
        )
        # jdatetime weekday(): Saturday is 0.
        lead = jdatetime.date(year, month, 1).weekday()
        cells = [None] * lead
        today = timezone.localdate()
        for offset in range(length):
            day = first + datetime.timedelta(days=offset)
            cells.append(
                {
                    "day": offset + 1,
                    "date": day,
                    "today": day == today,
                    "sessions": [s for s in sessions if s.start_date <= day <= s.end_date],
                }
            )
        cells += [None] * (-len(cells) % 7)
        previous = (year, month - 1) if month > 1 else (year - 1, 12)
        following = (year, month + 1) if month < 12 else (year + 1, 1)
        names = MONTHS_FA if active_language() == "fa" else MONTHS_EN
        context.update(
            weeks=[cells[i : i + 7] for i in range(0, len(cells), 7)],
            month_label=f"{names[month - 1]} {year}",
            previous=f"{previous[0]}-{previous[1]:02d}",
            following=f"{following[0]}-{following[1]:02d}",
            session_count=len(sessions),
            weekdays=WEEKDAYS,
        )
        return context


class SessionDetailView(LoginRequiredMixin, TemplateView):
    template_name = "training/session_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        session = session_access(user=user, pk=self.kwargs["pk"])
        enrolments = list(
            Enrolment.objects.visible_to(user)
            .filter(session=session)
            .select_related("person", "institution")
            .prefetch_related(Prefetch("certificate"))[:500]
        )
        can_grade = can(user, "grade", session)
        days = session.days()
        for enrolment in enrolments:
            enrolment.day_marks = [
                (day, (enrolment.attendance or {}).get(day.isoformat())) for day in days
            ]
        taken = Enrolment.objects.filter(ACTIVE_ENROLMENT, session=session).count()
        can_enrol = can(user, "enrol", session)
        context.update(
            object=session,
            enrolments=enrolments,
            days=days,
            seats_taken=taken,
            can_grade=can_grade,
            can_enrol=can_enrol,
            can_change=can(user, "change", session),
            transitions=[
                action
                for action, (sources, _target) in SESSION_TRANSITIONS.items()
                if session.status in sources and can(user, action, session)
            ],
            enrol_form=kwargs.get("enrol_form")
            or (EnrolForm(user=user, session=session) if can_enrol else None),
            bulk_form=kwargs.get("bulk_form")
            or (BulkEnrolForm(user=user, session=session) if can_enrol else None),
            trainers=session.trainers.all(),
            history=object_history(session),
            sheet_errors=kwargs.get("sheet_errors", []),
            bulk_report=kwargs.get("bulk_report"),
            panels=object_panels(self.request, session),
        )
        return context


class SessionEnrolView(LoginRequiredMixin, View):
    """POST one enrolment (institution + national code) or, with `bulk`, every approved
    applicant of the institution who lacks the course."""

    def post(self, request, pk):
        session = session_access(user=request.user, pk=pk, action="enrol")
        detail = SessionDetailView(request=request, kwargs={"pk": pk})
        if "bulk" in request.POST:
            form = BulkEnrolForm(request.POST, user=request.user, session=session)
            if form.is_valid():
                try:
                    report = services.enrolments_create_bulk(
                        actor=request.user,
                        session=session,
                        institution=form.cleaned_data["institution"],
                    )
                except ValidationError as exc:
                    apply_form_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("%(n)s people enrolled.") % {"n": len(report.enrolled)},
                    )
                    return render(
                        request,
                        detail.template_name,
                        detail.get_context_data(bulk_report=report),
                    )
            return render(request, detail.template_name, detail.get_context_data(bulk_form=form))
        form = EnrolForm(request.POST, user=request.user, session=session)
        if form.is_valid():
            person = (
                Person.objects.visible_to(request.user)
                .filter(national_code=form.cleaned_data["national_code"])
                .first()
            )
            if person is None:
                form.add_error(
                    "national_code", _("No person with this national code is in your scope.")
                )
            else:
                try:
                    services.enrolment_create(
                        actor=request.user,
                        session=session,
                        person=person,
                        institution=form.cleaned_data["institution"],
                    )
                except ValidationError as exc:
                    apply_form_errors(form, exc)
                else:
                    messages.success(request, _("%(name)s enrolled.") % {"name": person.full_name})
                    return HttpResponseRedirect(session.get_absolute_url())
        return render(request, detail.template_name, detail.get_context_data(enrol_form=form))


class SessionGradeView(LoginRequiredMixin, View):
    """POST the attendance and score sheet: `att-<enrolment>-<iso day>` checkboxes and
    `score-<enrolment>`. Rows are saved one by one; each refusal is listed by person."""

    def post(self, request, pk):
        session = session_access(user=request.user, pk=pk, action="grade")
        today = timezone.localdate()
        errors: list[tuple[str, str]] = []
        enrolments = (
            Enrolment.objects.visible_to(request.user, "grade")
            .filter(session=session)
            .exclude(result=EnrolmentResult.WITHDRAWN)
            .select_related("person")
        )
        days = [day for day in session.days() if day <= today]
        saved = 0
        for enrolment in enrolments:
            if hasattr(enrolment, "certificate"):
                continue
            try:
                if days:
                    attendance = {
                        day: f"att-{enrolment.pk}-{day.isoformat()}" in request.POST for day in days
                    }
                    services.enrolment_record_attendance(
                        actor=request.user, enrolment=enrolment, attendance=attendance
                    )
                raw = to_ascii_digits(request.POST.get(f"score-{enrolment.pk}", "")).strip()
                if raw:
                    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
                        raise ValidationError(_("The score must be a whole number from 0 to 100."))
                    services.enrolment_record_score(
                        actor=request.user, enrolment=enrolment, score=int(raw)
                    )
                saved += 1
            except ValidationError as exc:
                errors.append((enrolment.person.full_name, " ".join(exc.messages)))
        if errors:
            detail = SessionDetailView(request=request, kwargs={"pk": pk})
            return render(
                request, detail.template_name, detail.get_context_data(sheet_errors=errors)
            )
        messages.success(request, _("Attendance and scores saved."))
        return HttpResponseRedirect(session.get_absolute_url())


class SessionActionView(LoginRequiredMixin, View):
    def post(self, request, pk, action):
        if action not in SESSION_TRANSITIONS:
            raise Http404
        session = session_access(user=request.user, pk=pk, action=action)
        form = ReasonForm(request.POST)
        form.is_valid()
        try:
            services.session_transition(
                actor=request.user,
                session=session,
                action=action,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(session.get_absolute_url())


class CertificateListView(ObjectListView):
    model = Certificate
    filterset_class = CertificateFilterSet
    sort_fields = {"issued": "issued_on", "expires": "expires_on"}
    default_sort = "-issued"

    def get_queryset(self):
        return super().get_queryset().select_related("person", "course")


class CertificateDetailView(ObjectDetailView):
    model = Certificate

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = context["object"]
        context["history_rows"] = (
            Certificate.objects.visible_to(self.request.user)
            .filter(person=certificate.person_id, course=certificate.course_id)
            .order_by("-issued_on")
        )
        context["can_revoke"] = certificate.status == "valid" and can(
            self.request.user, "revoke", certificate
        )
        return context


class CertificateRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        certificate = access(
            Certificate.objects.visible_to(request.user), user=request.user, pk=pk, action="revoke"
        )
        form = ReasonForm(request.POST)
        form.is_valid()
        try:
            services.certificate_revoke(
                actor=request.user,
                certificate=certificate,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Certificate revoked."))
        return HttpResponseRedirect(certificate.get_absolute_url())


def lapsing_institutions(user):
    return Institution.objects.visible_to(user).order_by("name")


class LapsingView(LoginRequiredMixin, TemplateView):
    """People of one institution whose mandatory certificates lapse in 30, 60 or 90 days."""

    template_name = "training/lapsing.html"

    def setup_rows(self):
        user = self.request.user
        if not Certificate.objects.visible_to(user).exists() and not can_see_training(user):
            raise PermissionDenied
        institutions = lapsing_institutions(user)
        institution = None
        chosen = parse_id(self.request.GET.get("institution"))
        if chosen is not None:
            institution = institutions.filter(pk=chosen).first()
            if institution is None:
                raise Http404
        # One query tells whether there is a choice to make at all.
        first_two = list(institutions.values_list("pk", flat=True)[:2])
        self.several_institutions = len(first_two) > 1
        if chosen is None and len(first_two) == 1:
            institution = institutions.get(pk=first_two[0])
        days = to_ascii_digits(self.request.GET.get("days", "90"))
        days = int(days) if days in {str(d) for d in LAPSING_WINDOWS} else 90
        rows = lapsing_certificates(institution, days=days) if institution else []
        return institution, days, rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        institution, days, rows = self.setup_rows()
        context.update(institution=institution, days=days, windows=LAPSING_WINDOWS, rows=rows)
        if self.several_institutions:
            # A searchable choice (the scoped lookup), never a list of every institution.
            context["choose_institution_widget"] = lookup_choice(
                "institution",
                "institution",
                user=self.request.user,
                value=institution.pk if institution else None,
                attrs={"id": "lapsing-institution", "class": "form-select"},
            )
        return context


def can_see_training(user) -> bool:
    from entezam.core.scoping import allowed_roles

    return bool(allowed_roles(user, Certificate, "view"))


class LapsingExportView(LapsingView):
    def get(self, request, *args, **kwargs):
        import xlsxwriter

        institution, days, rows = self.setup_rows()
        if institution is None:
            raise Http404
        digits = active_language()
        stream = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            stream,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        sheet = workbook.add_worksheet(_("Lapsing certificates")[:31])
        if digits == "fa":
            sheet.right_to_left()
        bold = workbook.add_format({"bold": True})
        headers = [
            _("Person"),
            _("Position"),
            _("Course"),
            _("Certificate number"),
            _("Expiry date"),
            _("Days left"),
        ]
        for column, header in enumerate(headers):
            sheet.set_column(column, column, 24)
            sheet.write_string(0, column, header, bold)
        for index, row in enumerate(rows, start=1):
            values = [
                row.certificate.person.full_name,
                row.employment.get_position_display(),
                row.certificate.course.title,
                row.certificate.number,
                format_jalali(row.certificate.expires_on, digits=digits),
            ]
            for column, value in enumerate(values):
                text = str(value)
                sheet.write_string(
                    index, column, "'" + text if text.startswith(FORMULA_PREFIXES) else text
                )
            sheet.write_number(index, 5, row.days_left)
        workbook.close()
        response = HttpResponse(
            stream.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="lapsing-{institution.registration_number}-{days}.xlsx"'
        )
        return response
