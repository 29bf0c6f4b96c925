from django.utils.translation import gettext_lazy as _

from entezam.core.exports import Column
from entezam.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from . import services
from .filtersets import PoliceUnitFilterSet
from .forms import PoliceUnitForm
from .models import PoliceUnit


class PoliceUnitListView(ObjectListView):
    model = PoliceUnit
    filterset_class = PoliceUnitFilterSet
    sort_fields = {
        "code": "code",
        "name": "search_name",
        "kind": "kind",
        "province": "province__code",
    }
    default_sort = "code"
    export_name = "police-units"
    export_columns = [
        Column(_("Code"), lambda u: u.code),
        Column(_("Name"), lambda u: u.name),
        Column(_("Kind"), lambda u: u.get_kind_display()),
        Column(_("Province"), lambda u: u.province.name if u.province else ""),
        Column(_("County"), lambda u: u.county.name if u.county else ""),
        Column(_("Parent unit"), lambda u: u.parent.name if u.parent else ""),
        Column(_("Active"), lambda u: u.is_active),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("province", "parent", "county")


class PoliceUnitDetailView(ObjectDetailView):
    model = PoliceUnit

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = context["object"]
        context["children"] = (
            PoliceUnit.objects.visible_to(self.request.user)
            .filter(parent=unit)
            .select_related("county")
            .order_by("code")
        )
        return context


class PoliceUnitEditView(ObjectEditView):
    list_url_name = "geo:unit_list"
    model = PoliceUnit
    form_class = PoliceUnitForm

    def create(self, form):
        return services.police_unit_create(actor=self.request.user, **form.cleaned_data)

    def update(self, obj, form):
        return services.police_unit_update(actor=self.request.user, unit=obj, **form.cleaned_data)
