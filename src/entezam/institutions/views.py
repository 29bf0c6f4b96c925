from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from entezam.core.exports import Column
from entezam.core.persian.text import mask_national_code
from entezam.core.scoping import can
from entezam.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
    apply_form_errors,
    hx_redirect,
)

from . import services
from .choices import CONSEQUENCES, TRANSITIONS, Transition
from .filtersets import InstitutionFilterSet, expiring_count
from .forms import InstitutionForm, TransitionForm
from .models import Institution, LifecycleAttachment


class InstitutionListView(ObjectListView):
    model = Institution
    filterset_class = InstitutionFilterSet
    sort_fields = {
        "name": "search_name",
        "registration_number": "registration_number",
        "status": "status",
        "licence_expires_on": "licence_expires_on",
        "authorised_headcount": "authorised_headcount",
        "province": "province__code",
    }
    default_sort = "name"
    export_name = "institutions"
    export_columns = [
        Column(_("Name"), lambda i: i.name),
        Column(_("Registration number"), lambda i: i.registration_number),
        Column(_("Kind"), lambda i: i.get_kind_display()),
        Column(_("Province"), lambda i: i.province.name),
        Column(_("Supervising police unit"), lambda i: i.supervising_unit.name),
        Column(_("Status"), lambda i: i.get_status_display()),
        Column(_("Licence expired"), lambda i: i.licence_lapsed),
        Column(_("Licence number"), lambda i: i.licence_number),
        Column(_("Licence expiry"), lambda i: i.licence_expires_on),
        Column(_("Authorised headcount"), lambda i: i.authorised_headcount),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("province", "supervising_unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expiring_total"] = expiring_count(super().get_queryset())
        return context


class InstitutionDetailView(ObjectDetailView):
    model = Institution

    def get_queryset(self):
        return super().get_queryset().select_related("province", "county", "supervising_unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = context["object"]
        user = self.request.user
        code = obj.managing_director_national_code
        context["director_code"] = (
            code if can(user, "read_national_code", obj) else mask_national_code(code)
        )
        context["actions"] = [
            {"name": action, "label": Transition(action).label}
            for action in obj.available_transitions()
            if can(user, action, obj)
        ]
        return context


class InstitutionEditView(ObjectEditView):
    list_url_name = "institutions:list"
    model = Institution
    form_class = InstitutionForm

    def create(self, form):
        return services.institution_create(actor=self.request.user, **form.cleaned_data)

    def update(self, obj, form):
        data = {k: v for k, v in form.cleaned_data.items() if not form.fields[k].disabled}
        return services.institution_update(actor=self.request.user, institution=obj, **data)


class InstitutionTransitionView(ScopedViewMixin, View):
    """GET: the reason dialog (an htmx fragment or a page); POST: the lifecycle service."""

    model = Institution

    def dispatch(self, request, *args, **kwargs):
        if kwargs["action"] not in TRANSITIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _render(self, obj, form, status=200):
        template = (
            "institutions/transition_modal.html"
            if self.request.headers.get("HX-Request")
            else "institutions/transition_page.html"
        )
        action = self.kwargs["action"]
        return render(
            self.request,
            template,
            {
                "object": obj,
                "form": form,
                "action": action,
                "action_label": Transition(action).label,
                "consequences": CONSEQUENCES.get(action, ()),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        obj = self.get_object(kwargs["action"])
        return self._render(obj, TransitionForm(action=kwargs["action"]))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = TransitionForm(request.POST, request.FILES, action=kwargs["action"])
        if form.is_valid():
            try:
                services.institution_transition(
                    actor=request.user,
                    institution=obj,
                    action=kwargs["action"],
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(
                    request, _("Done: %(action)s.") % {"action": Transition(kwargs["action"]).label}
                )
                return hx_redirect(request, obj.get_absolute_url())
        return self._render(obj, form, status=422 if request.headers.get("HX-Request") else 200)


class LifecycleAttachmentView(ScopedViewMixin, View):
    """The letter kept with a suspension or revocation: to whoever may see the institution
    (anyone else: 404), always as a download of the type its content showed."""

    model = LifecycleAttachment

    def get(self, request, pk):
        attachment = self.get_object()
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.file_name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
