from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from entezam.core.api.viewsets import ScopedViewSet

from . import services
from .filtersets import PoliceUnitFilterSet, ProvinceFilterSet
from .models import County, PoliceUnit, Province


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "code", "name", "name_en", "capital"]


class ProvinceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProvinceSerializer
    filterset_class = ProvinceFilterSet
    pagination_class = None

    def get_queryset(self):
        return Province.objects.visible_to(self.request.user)


class PoliceUnitSerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(
        slug_field="code", queryset=Province.objects.all(), required=False, allow_null=True
    )
    parent = serializers.SlugRelatedField(
        slug_field="code",
        queryset=PoliceUnit.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("No police unit with this code in your area.")},
    )
    county = serializers.PrimaryKeyRelatedField(
        queryset=County.objects.all(), required=False, allow_null=True
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = PoliceUnit
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "kind",
            "kind_display",
            "parent",
            "province",
            "county",
            "address",
            "phone",
            "latitude",
            "longitude",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A unit outside the caller's area is "no such code": its existence is not told.
            self.fields["parent"].queryset = PoliceUnit.objects.visible_to(request.user)

    def create(self, validated_data):
        return services.police_unit_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.police_unit_update(
            actor=self.context["request"].user, unit=instance, **validated_data
        )


class PoliceUnitViewSet(ScopedViewSet):
    model = PoliceUnit
    serializer_class = PoliceUnitSerializer
    filterset_class = PoliceUnitFilterSet
    ordering_fields = ["code", "name", "id"]
    ordering = ["id"]

    def get_queryset(self):
        return super().get_queryset().select_related("province", "parent")
