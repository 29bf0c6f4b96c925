"""Pages: the public form and status page (no sign-in), the operator's call console with
live suggestions, the handling queue and a message's page, statistics and their export.
Reads go through the selectors, writes through the services."""

from __future__ import annotations

import datetime
import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from entezam.core.errors import MESSAGES as CORE_MESSAGES
from entezam.core.pagination import paginate
from entezam.core.persian import add_months
from entezam.core.scoping import allowed_roles, can, require_model_action
from entezam.core.views import ObjectEditView
from entezam.institutions.choices import InstitutionStatus

from . import classifier, selectors, services
from .choices import Category, Channel, Status
from .errors import MESSAGES
from .exports import write_statistics_xlsx
from .forms import (
    CallForm,
    DisputeForm,
    EscalateForm,
    PeriodForm,
    PublicFeedbackForm,
    RerouteForm,
    ResolveForm,
    RoutingRuleForm,
    TrackForm,
    TriageForm,
)
from .limits import submissions_allowed
from .models import Feedback, RoutingRule

SUGGEST_MAX_LENGTH = 4000


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --------------------------------------------------------------------------- public


class PublicSubmitView(View):
    template_name = "feedback/public_form.html"

    def _form(self, data=None):
        form = PublicFeedbackForm(data)
        form.fields["institution"].queryset = form.fields["institution"].queryset.filter(
            status=InstitutionStatus.ACTIVE
        )
        return form

    def _render(self, request, form, card, status=200):
        return render(request, self.template_name, {"form": form, "card": card}, status=status)

    def get(self, request):
        card = selectors.card_for_feedback(request.GET.get("card", ""))
        form = self._form()
        if card is not None:
            form.initial["card"] = card.token
        return self._render(request, form, card)

    def post(self, request):
        form = self._form(request.POST)
        card = selectors.card_for_feedback(request.POST.get("card", ""))
        if not submissions_allowed(request):
            form.add_error(None, MESSAGES["too_many_submissions"])
            return self._render(request, form, card, status=429)
        if not form.is_valid():
            return self._render(request, form, card, status=400)
        if form.cleaned_data["website"]:
            # A bot filled the hidden field: answer as if accepted, keep nothing.
            return render(request, "feedback/public_thanks.html", {"code": None})
        data = form.cleaned_data
        # From a card's page the subject is that card's holder and institution.
        subjects = (
            {"subject_person": card.person, "subject_institution": card.institution}
            if card is not None
            else {"subject_institution": data["institution"]}
        )
        try:
            feedback = services.feedback_submit(
                channel=Channel.CARD if card is not None else Channel.WEB,
                text=data["text"],
                name=data["name"],
                contact=data["contact"],
                province=data["province"],
                county=data["county"],
                place=data["place"],
                **subjects,
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return self._render(request, form, card, status=400)
        return render(request, "feedback/public_thanks.html", {"code": feedback.tracking_code})


class TrackView(View):
    def get(self, request):
        form = TrackForm(request.GET or None)
        if form.is_valid():
            code = form.cleaned_data["code"].strip().upper()
            return HttpResponseRedirect(reverse("feedback:status", args=[code]))
        return render(request, "feedback/track.html", {"form": form})


class StatusView(View):
    """The citizen's status page: what happened, the deadline and the public reply. No
    name, contact, assignee or internal note is ever shown here."""

    template_name = "feedback/status.html"

    def _context(self, code, dispute_form=None):
        feedback = selectors.public_lookup(code)
        case = selectors.public_case(feedback)
        deadline = services.dispute_deadline(case)
        return {
            "code": feedback.tracking_code,
            "case": case,
            "is_duplicate": feedback.duplicate_of_id is not None,
            "events": case.events.filter(public=True).order_by("id"),
            "answerable": case.status == Status.RESOLVED
            and (deadline is None or timezone.now() <= deadline)
            and feedback.duplicate_of_id is None,
            "dispute_deadline": deadline,
            "dispute_form": dispute_form or DisputeForm(),
        }

    def get(self, request, code):
        return render(request, self.template_name, self._context(code))

    def post(self, request, code):
        feedback = selectors.public_lookup(code)
        answer = request.POST.get("answer")
        form = DisputeForm(request.POST)
        try:
            if answer == "confirm":
                services.feedback_confirm(feedback=feedback)
                messages.success(request, _("Thank you: the case is closed."))
            elif answer == "dispute" and form.is_valid():
                services.feedback_dispute(feedback=feedback, note=form.cleaned_data["note"])
                messages.info(request, _("Your message was reopened and sent to a higher level."))
            else:
                return render(request, self.template_name, self._context(code, form), status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("feedback:status", args=[feedback.tracking_code]))


# --------------------------------------------------------------------------- staff


class ConsoleView(LoginRequiredMixin, View):
    """The operator's call console: the caller's number, the text, the subject; the
    suggested category and urgency update while typing (`SuggestView`)."""

    template_name = "feedback/console.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_model_action(request.user, Feedback, "triage")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": CallForm()})

    def post(self, request):
        form = CallForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        try:
            subjects = selectors.subject_lookup(
                user=request.user,
                national_code=data["subject_national_code"],
                registration_number=data["subject_institution"],
                unit_code=data["subject_police_unit"],
                card_number=data["subject_card"],
            )
            feedback = services.feedback_submit(
                actor=request.user,
                channel=Channel.PHONE,
                text=data["text"],
                name=data["name"],
                contact=data["contact"],
                province=data["province"],
                place=data["place"],
                category=data["category"],
                urgent=data["urgent"],
                **subjects,
            )
        except ValidationError as error:
            _apply_errors(form, error)
            return render(request, self.template_name, {"form": form}, status=400)
        messages.success(
            request,
            _("Saved. Tell the caller the tracking code: %(code)s")
            % {"code": feedback.tracking_code},
        )
        return HttpResponseRedirect(reverse("feedback:console") + f"?last={feedback.pk}")


class SuggestView(LoginRequiredMixin, View):
    """POST `text`: the suggested category, its confidence and urgency, as JSON."""

    def post(self, request):
        require_model_action(request.user, Feedback, "triage")
        text = (request.POST.get("text") or "")[:SUGGEST_MAX_LENGTH]
        if len(text.strip()) < 3:
            return JsonResponse({"category": "", "label": "", "confidence": 0.0, "urgent": False})
        prediction = classifier.classify(text)
        return JsonResponse(
            {
                "category": prediction.category,
                "label": str(Category(prediction.category).label),
                "confidence": prediction.confidence,
                "urgent": prediction.urgent,
            }
        )


class QueueView(LoginRequiredMixin, TemplateView):
    template_name = "feedback/queue.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not allowed_roles(user, Feedback, "view"):
            raise PermissionDenied(CORE_MESSAGES["not_allowed"])
        tabs = []
        if allowed_roles(user, Feedback, "triage"):
            tabs.append(("triage", _("To triage")))
        if allowed_roles(user, Feedback, "handle"):
            tabs.append(("handling", _("To handle")))
        tabs.append(("all", _("All")))
        chosen = self.request.GET.get("queue")
        if chosen not in {key for key, _label in tabs}:
            chosen = tabs[0][0]
        rows = {
            "triage": lambda: selectors.triage_queue(user=user),
            "handling": lambda: selectors.handling_queue(user=user),
            "all": lambda: selectors.feedback_list(user=user).filter(duplicate_of__isnull=True),
        }[chosen]()
        page = paginate(self.request, rows, self.paginate_by)
        context.update(
            page_title=_("Citizen messages"),
            tabs=tabs,
            queue=chosen,
            page_obj=page,
            rows=page.object_list,
            today=timezone.localdate(),
            can_take_calls=bool(allowed_roles(user, Feedback, "triage")),
        )
        return context


class FeedbackDetailView(LoginRequiredMixin, View):
    template_name = "feedback/detail.html"

    def _context(self, request, feedback, **forms):
        user = request.user
        handles = feedback.is_open and can(user, "handle", feedback)
        return {
            "page_title": feedback.tracking_code,
            "feedback": feedback,
            "show_contact": selectors.can_see_contact(user, feedback),
            "assignments": feedback.assignments.select_related(
                "institution", "police_unit", "province"
            ),
            "events": feedback.events.select_related("actor"),
            "can_triage": feedback.status == Status.NEW and can(user, "triage", feedback),
            "can_handle": handles and feedback.status in (Status.ASSIGNED, Status.IN_PROGRESS),
            "triage_form": forms.get("triage")
            or TriageForm(initial={"category": feedback.category, "urgent": feedback.is_urgent}),
            "resolve_form": forms.get("resolve") or ResolveForm(),
            "reroute_form": forms.get("reroute") or RerouteForm(feedback=feedback),
            "escalate_form": forms.get("escalate") or EscalateForm(),
        }

    def get(self, request, pk):
        feedback = selectors.feedback_access(user=request.user, pk=pk)
        return render(request, self.template_name, self._context(request, feedback))

    def post(self, request, pk):
        feedback = selectors.feedback_access(user=request.user, pk=pk)
        action = request.POST.get("action")
        user = request.user
        forms = {}
        try:
            if action == "triage":
                form = forms["triage"] = TriageForm(request.POST)
                if form.is_valid():
                    services.feedback_triage(
                        actor=user,
                        feedback=feedback,
                        category=form.cleaned_data["category"],
                        urgent=form.cleaned_data["urgent"],
                    )
                    return self._done(request, feedback, _("Category confirmed and routed."))
            elif action == "start":
                services.feedback_start(actor=user, feedback=feedback)
                return self._done(request, feedback, _("Work started."))
            elif action == "resolve":
                form = forms["resolve"] = ResolveForm(request.POST)
                if form.is_valid():
                    services.feedback_resolve(
                        actor=user, feedback=feedback, reply=form.cleaned_data["reply"]
                    )
                    return self._done(request, feedback, _("Resolved; the citizen sees the reply."))
            elif action == "reroute":
                form = forms["reroute"] = RerouteForm(request.POST, feedback=feedback)
                if form.is_valid():
                    services.feedback_reroute(
                        actor=user,
                        feedback=feedback,
                        police_unit=form.cleaned_data["police_unit"],
                        institution=form.cleaned_data["institution"],
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Sent to the responsible unit."))
                    if not can(user, "view", feedback, fresh=True):
                        return HttpResponseRedirect(reverse("feedback:queue"))
                    return HttpResponseRedirect(reverse("feedback:detail", args=[feedback.pk]))
            elif action == "escalate":
                form = forms["escalate"] = EscalateForm(request.POST)
                if form.is_valid():
                    services.feedback_escalate(
                        actor=user, feedback=feedback, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("Sent to the next level."))
                    if not can(user, "view", feedback, fresh=True):
                        return HttpResponseRedirect(reverse("feedback:queue"))
                    return HttpResponseRedirect(reverse("feedback:detail", args=[feedback.pk]))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("feedback:detail", args=[feedback.pk]))
        feedback.refresh_from_db()
        return render(
            request, self.template_name, self._context(request, feedback, **forms), status=400
        )

    def _done(self, request, feedback, message):
        messages.success(request, message)
        return HttpResponseRedirect(reverse("feedback:detail", args=[feedback.pk]))


def _period(request) -> tuple[datetime.date, datetime.date, PeriodForm]:
    form = PeriodForm(request.GET or None)
    months = form.cleaned_data["months"] if form.is_valid() else 3
    end = timezone.localdate()
    start = add_months(end, -(months - 1)).replace(day=1) if months > 1 else end.replace(day=1)
    return start, end, form


class StatisticsView(LoginRequiredMixin, TemplateView):
    template_name = "feedback/statistics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not allowed_roles(self.request.user, Feedback, "view"):
            raise PermissionDenied(CORE_MESSAGES["not_allowed"])
        start, end, form = _period(self.request)
        stats = selectors.statistics_for(user=self.request.user, start=start, end=end)
        context.update(
            page_title=_("Feedback statistics"),
            stats=stats,
            form=form,
            categories=[
                {
                    "code": code,
                    "label": label,
                    "count": stats.by_category[code],
                    "share": stats.shares[code],
                }
                for code, label in Category.choices
            ],
        )
        return context


class StatisticsExportView(LoginRequiredMixin, View):
    def get(self, request):
        if not allowed_roles(request.user, Feedback, "view"):
            raise PermissionDenied(CORE_MESSAGES["not_allowed"])
        start, end, _form = _period(request)
        stats = selectors.statistics_for(user=request.user, start=start, end=end)
        stream = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        write_statistics_xlsx(stats, stream)
        stream.seek(0)
        return FileResponse(
            stream,
            as_attachment=True,
            filename=f"feedback-statistics-{start.isoformat()}-{end.isoformat()}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class RoutingRuleListView(LoginRequiredMixin, TemplateView):
    """HQ's routing table: rules in the order they are tried."""

    template_name = "feedback/routing_rules.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not allowed_roles(user, RoutingRule, "view"):
            raise PermissionDenied(CORE_MESSAGES["not_allowed"])
        context.update(
            page_title=_("Routing rules"),
            rules=RoutingRule.objects.visible_to(user),
            can_edit=bool(allowed_roles(user, RoutingRule, "change")),
        )
        return context


class RoutingRuleEditView(ObjectEditView):
    list_url_name = "feedback:rules"
    model = RoutingRule
    form_class = RoutingRuleForm

    def create(self, form):
        return services.routing_rule_create(actor=self.request.user, data=form.cleaned_data)

    def update(self, obj, form):
        return services.routing_rule_update(
            actor=self.request.user, rule=obj, data=form.cleaned_data
        )
