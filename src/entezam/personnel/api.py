from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from entezam.core.api.fields import JalaliField
from entezam.core.api.pagination import LargeListPagination
from entezam.core.api.viewsets import ScopedViewSet
from entezam.core.scoping import require_model_action
from entezam.institutions.selectors import pages_per_institution

from . import selectors, services
from .choices import EndReason
from .errors import MESSAGES
from .filtersets import PersonFilterSet
from .models import Employment, Person
from .services import EDITABLE_FIELDS


class EmploymentSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(read_only=True)
    institution = serializers.PrimaryKeyRelatedField(read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    position_display = serializers.CharField(source="get_position_display", read_only=True)
    # Blank while the employment runs: declared so the schema says so.
    end_reason = serializers.ChoiceField(
        choices=EndReason.choices, allow_blank=True, read_only=True
    )
    end_reason_display = serializers.CharField(source="get_end_reason_display", read_only=True)
    start_date_jalali = JalaliField(source="start_date")
    end_date_jalali = JalaliField(source="end_date")
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Employment
        fields = [
            "id",
            "person",
            "institution",
            "institution_name",
            "position",
            "position_display",
            "start_date",
            "start_date_jalali",
            "end_date",
            "end_date_jalali",
            "end_reason",
            "end_reason_display",
            "is_active",
        ]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    national_code = serializers.SerializerMethodField(
        help_text="In full for roles that need it; otherwise masked, e.g. 0013***419."
    )
    national_code_masked = serializers.SerializerMethodField()
    birth_date_jalali = JalaliField(source="birth_date")
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)
    education_display = serializers.CharField(source="get_education_display", read_only=True)
    military_service_display = serializers.CharField(
        source="get_military_service_display", read_only=True
    )
    active_employment = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "national_code",
            "national_code_masked",
            *EDITABLE_FIELDS,
            "birth_date_jalali",
            "gender_display",
            "education_display",
            "military_service_display",
            "active_employment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def _display(self, person: Person) -> str:
        if not hasattr(person, "national_code_display"):
            selectors.with_national_code_display(self.context["request"].user, [person])
        return person.national_code_display

    def get_national_code(self, person: Person) -> str:
        return self._display(person)

    def get_national_code_masked(self, person: Person) -> bool:
        return self._display(person) != person.national_code

    @extend_schema_field(EmploymentSerializer(allow_null=True))
    def get_active_employment(self, person: Person):
        active = getattr(person, "active_employments", None)
        if active is None:
            active = list(person.employments.filter(end_date__isnull=True))
        if not active:
            return None
        # One nested serializer for the whole page: building one per row (its fields
        # deep-copied each time) cost more than the page's queries.
        if getattr(self, "_employment_serializer", None) is None:
            self._employment_serializer = EmploymentSerializer(context=self.context)
        return self._employment_serializer.to_representation(active[0])

    def update(self, instance, validated_data):
        return services.person_update(
            actor=self.context["request"].user, person=instance, **validated_data
        )


class PersonListSerializer(PersonSerializer):
    """What a list of people needs: who they are and where they work. The full record
    (birth date, mobile, address …) is one audited read: `GET /api/v1/people/{id}/`."""

    class Meta(PersonSerializer.Meta):
        fields = [
            "id",
            "national_code",
            "national_code_masked",
            "first_name",
            "last_name",
            "gender",
            "gender_display",
            "active_employment",
        ]
        read_only_fields = fields


class PersonViewSet(ScopedViewSet):
    """People in the caller's scope; a list gives the fields a list needs, and opening one
    full record is logged (`person.view`)."""

    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    pagination_class = LargeListPagination
    ordering_fields = ["id"]
    http_method_names = ["get", "patch", "head", "options"]

    def check_permissions(self, request):
        super().check_permissions(request)
        require_model_action(request.user, Person, "view")

    def get_queryset(self):
        return selectors.person_list(user=self.request.user)

    def get_serializer_class(self):
        return PersonListSerializer if self.action == "list" else PersonSerializer

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # One query decides which codes of the page this caller may read in full.
            selectors.with_national_code_display(self.request.user, page)
        return page

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        services.person_record_viewed(actor=request.user, person=person)
        return Response(self.get_serializer(person).data)

    def get_object(self):
        person = super().get_object()
        if self.action in ("update", "partial_update") and not selectors.can_edit_person(
            self.request.user, person
        ):
            raise PermissionDenied(MESSAGES["not_editor"])
        return person


class EmploymentViewSet(viewsets.ReadOnlyModelViewSet):
    """Employments at the institutions in the caller's scope (read only)."""

    serializer_class = EmploymentSerializer
    pagination_class = LargeListPagination
    filterset_fields = {
        "person": ["exact"],
        "institution": ["exact"],
        "position": ["exact"],
        "end_date": ["isnull"],
    }
    ordering_fields = ["id"]

    def check_permissions(self, request):
        super().check_permissions(request)
        require_model_action(request.user, Employment, "view")

    def get_queryset(self):
        queryset = Employment.objects.visible_to(self.request.user).select_related("institution")
        if self.action == "list":
            queryset = pages_per_institution(queryset, self.request.user)
        return queryset
