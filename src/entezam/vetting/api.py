from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action as api_action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from entezam.core.api.fields import IdentifierField, JalaliField
from entezam.core.api.pagination import LargeListPagination
from entezam.core.api.viewsets import ScopedViewSet
from entezam.core.dates import DateRange
from entezam.core.persian import JalaliDateError
from entezam.core.persian.jalali import parse_date_cell
from entezam.core.scoping import allowed_roles
from entezam.institutions.models import Institution
from entezam.institutions.selectors import pages_per_institution
from entezam.personnel.choices import Education, Gender, MilitaryService, Position
from entezam.personnel.models import Person
from entezam.personnel.validators import validate_person_name

from . import services
from .choices import ApplicationStatus, CheckResult, RuleKind
from .filtersets import ApplicationFilterSet, StandardFilterSet
from .models import (
    Application,
    ApplicationStep,
    BackgroundCheck,
    RuleResult,
    Standard,
    StandardRule,
)


class StandardRuleSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=RuleKind.choices)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    params = serializers.DictField(required=False)

    class Meta:
        model = StandardRule
        fields = ["kind", "kind_display", "params"]


class StandardSerializer(serializers.ModelSerializer):
    rules = StandardRuleSerializer(many=True)
    positions = serializers.ListField(child=serializers.ChoiceField(choices=Position.choices))
    status = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    effective_date_jalali = JalaliField(source="effective_date")

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "version",
            "title",
            "status",
            "positions",
            "effective_date",
            "effective_date_jalali",
            "activated_at",
            "rules",
            "activation_report",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["activated_at", "activation_report", "created_at", "updated_at"]

    def _rules(self, validated):
        return {rule["kind"]: rule.get("params") or {} for rule in validated.pop("rules", [])}

    def create(self, validated_data):
        rules = self._rules(validated_data)
        return services.standard_create_draft(
            actor=self.context["request"].user, rules=rules, **validated_data
        )

    def update(self, instance, validated_data):
        validated_data.pop("code", None)
        merged = {
            "title": instance.title,
            "positions": instance.positions,
            "effective_date": instance.effective_date,
            "rules": {r.kind: r.params for r in instance.rules.all()},
        }
        if "rules" in validated_data:
            merged["rules"] = self._rules(validated_data)
        merged.update({k: v for k, v in validated_data.items() if k in merged})
        return services.standard_update_draft(
            actor=self.context["request"].user, standard=instance, **merged
        )


class StandardViewSet(ScopedViewSet):
    """Selection standards: everyone in the selection business reads; HQ drafts and activates."""

    model = Standard
    serializer_class = StandardSerializer
    filterset_class = StandardFilterSet
    ordering = ["code", "-version"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("rules")

    @extend_schema(request=None, responses=StandardSerializer)
    @api_action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Activate a draft: retires the previous version, re-screens its open applications."""
        standard = services.standard_activate(actor=request.user, standard=self.get_object())
        return Response(StandardSerializer(standard, context={"request": request}).data)


class RuleResultSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    detail_text = serializers.CharField(source="detail_display", read_only=True)

    class Meta:
        model = RuleResult
        fields = [
            "kind",
            "kind_display",
            "outcome",
            "outcome_display",
            "detail",
            "detail_params",
            "detail_text",
            "evaluated_at",
        ]


class ApplicationStepSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    at_jalali = JalaliField(source="at")

    class Meta:
        model = ApplicationStep
        fields = ["from_status", "to_status", "at", "at_jalali", "actor", "note"]


class ApplicationSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    institution = serializers.SlugRelatedField(
        slug_field="registration_number", queryset=Institution.objects.none()
    )
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    standard = serializers.StringRelatedField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    submitted_at_jalali = JalaliField(source="submitted_at")
    status_changed_at_jalali = JalaliField(source="status_changed_at")
    decided_at_jalali = JalaliField(source="decided_at")
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    rule_results = RuleResultSerializer(many=True, read_only=True)
    steps = ApplicationStepSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "person",
            "person_name",
            "institution",
            "institution_name",
            "position",
            "standard",
            "status",
            "status_display",
            "needs_review",
            "submitted_at",
            "submitted_at_jalali",
            "status_changed_at",
            "status_changed_at_jalali",
            "decided_at",
            "decided_at_jalali",
            "decided_by",
            "decision_reason",
            "rule_results",
            "steps",
        ]
        read_only_fields = [
            "needs_review",
            "submitted_at",
            "status_changed_at",
            "decided_at",
            "decision_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["person"].queryset = Person.objects.visible_to(request.user)
            self.fields["institution"].queryset = Institution.objects.visible_to(request.user)

    def create(self, validated_data):
        return services.application_open(actor=self.context["request"].user, **validated_data)


@extend_schema_field(OpenApiTypes.STR)
class BirthDateField(serializers.Field):
    """A birth date as a roster cell gives it: Jalali (`1370/05/12`, any digits) or ISO."""

    def to_internal_value(self, data):
        try:
            value = parse_date_cell(data)
        except JalaliDateError as exc:
            # A Django ValidationError: the serializer reports it on this field.
            raise exc.validation_error() from None
        DateRange("birth")(value)
        return value

    def to_representation(self, value):
        return value.isoformat()


class ApplicantSerializer(serializers.Serializer):
    """One applicant registered by hand (a one-row roster): see `applicant_register`."""

    institution = serializers.CharField(help_text="registration number")
    position = serializers.ChoiceField(choices=Position.choices)
    national_code = IdentifierField("national_code")
    first_name = serializers.CharField(max_length=100, validators=[validate_person_name])
    last_name = serializers.CharField(max_length=100, validators=[validate_person_name])
    father_name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_person_name],
    )
    birth_date = BirthDateField(help_text="Jalali (1370/05/12) or ISO (1991-08-03)")
    gender = serializers.ChoiceField(choices=Gender.choices)
    mobile = IdentifierField("mobile", required=False, allow_blank=True, default="")
    education = serializers.ChoiceField(choices=Education.choices)
    military_service = serializers.ChoiceField(
        choices=MilitaryService.choices, required=False, allow_blank=True, default=""
    )


class AdvanceSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(
        choices=[ApplicationStatus.BACKGROUND_CHECK, ApplicationStatus.INTERVIEW]
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=5)


class ScreenSerializer(serializers.Serializer):
    institution = serializers.CharField(
        required=False, help_text="registration number; all in scope when absent"
    )


class ApplicationViewSet(ScopedViewSet):
    """Applications in the caller's scope; writes go through the selection services."""

    model = Application
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["submitted_at", "status_changed_at", "id"]
    ordering = ["-id"]
    pagination_class = LargeListPagination

    def get_queryset(self):
        queryset = (
            super().get_queryset().select_related("person", "institution", "standard", "decided_by")
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("rule_results", "steps__actor")
        if self.action == "list":
            queryset = pages_per_institution(queryset, self.request.user)
        return queryset

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "list":
            # Lists leave out each application's rule results and steps. (The schema
            # generator asks for a single serializer, without `many`.)
            fields = getattr(serializer, "child", serializer).fields
            fields.pop("rule_results", None)
            fields.pop("steps", None)
        return serializer

    def _respond(self, application):
        application = (
            self.get_queryset()
            .prefetch_related("rule_results", "steps__actor")
            .get(pk=application.pk)
        )
        return Response(ApplicationSerializer(application, context={"request": self.request}).data)

    @extend_schema(request=ScreenSerializer, responses={200: dict})
    @api_action(detail=False, methods=["post"])
    def screen(self, request):
        """Screen the open applications in scope (optionally one institution); returns counts."""
        serializer = ScreenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        institution = None
        registration = serializer.validated_data.get("institution")
        if registration:
            institution = (
                Institution.objects.visible_to(request.user)
                .filter(registration_number=registration)
                .first()
            )
            if institution is None:
                return Response(
                    {"institution": ["No such institution in your scope."]},
                    status=status.HTTP_404_NOT_FOUND,
                )
        report = services.applications_screen(actor=request.user, institution=institution)
        return Response(report.as_dict())

    @extend_schema(request=ApplicantSerializer, responses={201: ApplicationSerializer})
    @api_action(detail=False, methods=["post"])
    def register(self, request):
        """Register one applicant (a one-row roster): the person is created or brought up to
        date and their application opened. 400 names every field's problem."""
        if not allowed_roles(request.user, Application, "add"):
            raise exceptions.PermissionDenied()
        serializer = ApplicantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        institution = (
            Institution.objects.visible_to(request.user)
            .filter(registration_number=data.pop("institution"))
            .first()
        )
        if institution is None:
            return Response(
                {"institution": ["No such institution in your scope."]},
                status=status.HTTP_404_NOT_FOUND,
            )
        application = services.applicant_register(
            actor=request.user, institution=institution, **data
        )
        response = self._respond(application)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=AdvanceSerializer, responses=ApplicationSerializer)
    @api_action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        application = self.get_object()
        serializer = AdvanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_advance(
            actor=request.user, application=application, **serializer.validated_data
        )
        return self._respond(application)

    @extend_schema(request=DecideSerializer, responses=ApplicationSerializer)
    @api_action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        application = self.get_object()
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_decide(
            actor=request.user, application=application, **serializer.validated_data
        )
        return self._respond(application)

    @extend_schema(request=ReasonSerializer, responses=ApplicationSerializer)
    @api_action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_withdraw(
            actor=request.user, application=application, **serializer.validated_data
        )
        return self._respond(application)


class BackgroundCheckSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    result = serializers.ChoiceField(choices=CheckResult.choices)
    checked_on_jalali = JalaliField(source="checked_on")
    provider = serializers.CharField(read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=60)
    detail = serializers.CharField(required=False, allow_blank=True, max_length=300)

    class Meta:
        model = BackgroundCheck
        fields = [
            "id",
            "person",
            "provider",
            "result",
            "reference",
            "checked_on",
            "checked_on_jalali",
            "detail",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["person"].queryset = Person.objects.visible_to(request.user)

    def create(self, validated_data):
        return services.background_check_record(
            actor=self.context["request"].user, **validated_data
        )


class ResultsFileSerializer(serializers.Serializer):
    file = serializers.FileField()


class BackgroundCheckViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Background checks: officers record results by hand or import a results file."""

    serializer_class = BackgroundCheckSerializer
    filterset_fields = ["person", "result", "provider"]
    ordering = ["-id"]
    pagination_class = LargeListPagination

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            detail = (
                exc.message_dict
                if hasattr(exc, "error_dict")
                else {"non_field_errors": exc.messages}
            )
            exc = exceptions.ValidationError(detail)
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)

    def get_queryset(self):
        return BackgroundCheck.objects.visible_to(self.request.user).select_related("recorded_by")

    def check_permissions(self, request):
        super().check_permissions(request)
        if self.action in ("create", "import_results") and not allowed_roles(
            request.user, BackgroundCheck, "add"
        ):
            raise exceptions.PermissionDenied()

    @extend_schema(request=ResultsFileSerializer, responses={200: dict})
    @api_action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_results(self, request):
        """Import a results CSV; returns the job id, counts and every rejected row."""
        serializer = ResultsFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        report = services.background_checks_import(
            actor=request.user, content=upload.read(), filename=upload.name
        )
        return Response(report.as_dict())
