from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from entezam.core.audit import for_reader
from entezam.core.exports import Column
from entezam.core.pagination import COUNT_CAP
from entezam.core.scoping import require_model_action
from entezam.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedViewMixin,
)

from . import selectors, services
from .filtersets import PersonFilterSet
from .forms import PersonForm
from .models import Person

SEARCH_COUNT_CAP = 1000
EXPORT_CHUNK = 1000


class PersonListView(ObjectListView):
    model = Person
    filterset_class = PersonFilterSet
    sort_fields = {
        "name": ("last_name", "first_name"),
        "first_name": "first_name",
        "national_code": "national_code",
        "birth_date": "birth_date",
        "education": "education",
    }
    export_name = "people"
    export_columns = [
        Column(gettext_lazy("Last name"), lambda p: p.last_name),
        Column(gettext_lazy("First name"), lambda p: p.first_name),
        Column(gettext_lazy("Father's name"), lambda p: p.father_name),
        # In full only for roles that may read it, within their scope; masked otherwise.
        Column(gettext_lazy("National code"), lambda p: p.national_code_display),
        Column(gettext_lazy("Birth date"), lambda p: p.birth_date),
        Column(gettext_lazy("Gender"), lambda p: p.get_gender_display()),
        Column(gettext_lazy("Education"), lambda p: p.get_education_display()),
    ]

    def export_rows(self, queryset):
        chunk: list[Person] = []
        for person in queryset.iterator(chunk_size=EXPORT_CHUNK):
            chunk.append(person)
            if len(chunk) == EXPORT_CHUNK:
                yield from selectors.with_national_code_display(self.request.user, chunk)
                chunk = []
        yield from selectors.with_national_code_display(self.request.user, chunk)

    @property
    def default_sort(self) -> str:
        # Search results come in registration (id) order unless a sort is asked for: ordering
        # every match of a common fragment by name would read and sort them all, while id
        # order lets PostgreSQL stop after one page (see bench/bench_search.py).
        return "" if self.request.GET.get("q", "").strip() else "name"

    @property
    def count_cap(self) -> int:  # type: ignore[override]
        # A search counts its matches only up to a lower cap: a common fragment matches
        # hundreds of thousands, and counting them would cost many times the page.
        return SEARCH_COUNT_CAP if self.request.GET.get("q", "").strip() else COUNT_CAP

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # Roles that never see people get a clear "not for you", not an empty register.
            require_model_action(request.user, Person, "view")
        return super().dispatch(request, *args, **kwargs)

    def search_hint(self) -> bool:
        return selectors.search_too_short(self.request.GET.get("q"))

    def get_queryset(self):
        if self.search_hint():
            # Too short to search: say so and run no query at all.
            return Person.objects.none()
        people = selectors.person_list(user=self.request.user)
        return people.order_by("pk") if not self.default_sort else people

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = selectors.with_national_code_display(
            self.request.user, context["object_list"]
        )
        context["search_hint"] = self.search_hint()
        context["min_search_length"] = selectors.MIN_SEARCH_LENGTH
        return context


class PersonDetailView(ObjectDetailView):
    model = Person

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = context["object"]
        user = self.request.user
        services.person_record_viewed(actor=user, person=person)
        selectors.with_national_code_display(user, [person])
        employments = list(selectors.employment_history(person))
        context.update(
            employments=employments,
            active_employment=next((e for e in employments if e.is_active), None),
            history=for_reader(
                selectors.person_history(person, employments=employments), self.request.user
            ),
            can_change=selectors.can_edit_person(user, person),
        )
        return context


class PersonEditView(ObjectEditView):
    list_url_name = "personnel:list"
    model = Person
    form_class = PersonForm
    template_name = "personnel/person_form.html"

    def _target(self):
        if "pk" not in self.kwargs:
            raise PermissionDenied
        obj = self.get_object()
        if not selectors.can_edit_person(self.request.user, obj):
            raise PermissionDenied
        return obj

    def update(self, obj, form):
        return services.person_update(actor=self.request.user, person=obj, **form.cleaned_data)


class PersonPhotoView(ScopedViewMixin, View):
    """GET: the photo, to those who may see the person; POST: replace it (re-encoded)."""

    model = Person

    def get(self, request, *args, **kwargs):
        person = self.get_object()
        if not person.photo:
            raise Http404
        response = FileResponse(person.photo.open("rb"), content_type="image/jpeg")
        return response

    def post(self, request, *args, **kwargs):
        person = self.get_object()
        upload = request.FILES.get("photo")
        if upload is None:
            messages.error(request, _("Choose a photo to upload."))
        else:
            try:
                services.person_photo_set(actor=request.user, person=person, upload=upload)
            except ValidationError as exc:
                for error in exc.message_dict.get("photo", exc.messages):
                    messages.error(request, error)
            else:
                messages.success(request, _("The photo was replaced."))
        return HttpResponseRedirect(person.get_absolute_url())
