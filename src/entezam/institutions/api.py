from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action as api_action
from rest_framework.response import Response

from entezam.core.api.fields import JalaliField
from entezam.core.api.viewsets import ScopedViewSet
from entezam.core.dates import DateRange
from entezam.core.scoping import require
from entezam.geo.models import County, PoliceUnit, Province

from . import services
from .choices import TRANSITIONS
from .filtersets import InstitutionFilterSet
from .models import Institution


class InstitutionSerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(slug_field="code", queryset=Province.objects.all())
    county = serializers.PrimaryKeyRelatedField(
        queryset=County.objects.all(), required=False, allow_null=True
    )
    supervising_unit = serializers.SlugRelatedField(
        slug_field="code", queryset=PoliceUnit.objects.all()
    )
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    licence_issued_on_jalali = JalaliField(source="licence_issued_on")
    licence_expires_on_jalali = JalaliField(source="licence_expires_on")
    licence_expiring = serializers.BooleanField(read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "registration_number",
            "name",
            "kind",
            "province",
            "county",
            "supervising_unit",
            "managing_director",
            "managing_director_national_code",
            "licence_number",
            "licence_issued_on",
            "licence_issued_on_jalali",
            "licence_expires_on",
            "licence_expires_on_jalali",
            "licence_expiring",
            "authorised_headcount",
            "status",
            "status_display",
            "status_changed_at",
            "phone",
            "address",
            "postal_code",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status_changed_at", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A unit the caller cannot see is "does not exist" to them.
            self.fields["supervising_unit"].queryset = PoliceUnit.objects.visible_to(request.user)

    def create(self, validated_data):
        return services.institution_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.institution_update(
            actor=self.context["request"].user, institution=instance, **validated_data
        )


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(TRANSITIONS))
    reason = serializers.CharField(min_length=5)
    licence_number = serializers.CharField(required=False, allow_blank=True)
    licence_issued_on = serializers.DateField(
        required=False, allow_null=True, validators=[DateRange("any")]
    )
    licence_expires_on = serializers.DateField(
        required=False, allow_null=True, validators=[DateRange("any")]
    )


class InstitutionViewSet(ScopedViewSet):
    model = Institution
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilterSet
    ordering_fields = ["name", "registration_number", "licence_expires_on", "status", "id"]
    ordering = ["id"]

    def get_queryset(self):
        return super().get_queryset().select_related("province", "supervising_unit")

    @extend_schema(request=TransitionSerializer, responses=InstitutionSerializer)
    @api_action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the institution along its licence lifecycle (reason required)."""
        institution = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        require(request.user, data["action"], institution)
        institution = services.institution_transition(
            actor=request.user, institution=institution, **data
        )
        return Response(InstitutionSerializer(institution, context={"request": request}).data)
