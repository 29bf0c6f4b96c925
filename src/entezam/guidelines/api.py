"""API of guidelines: guidelines, versions (submit, approve, issue), issuances and
acknowledgements, scoped like every other endpoint; writes go through the services."""

from __future__ import annotations

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action as api_action
from rest_framework.response import Response

from entezam.core.api.fields import JalaliField
from entezam.core.api.viewsets import ScopedViewSet
from entezam.core.dates import DateRange
from entezam.geo.models import Province
from entezam.personnel.models import Employment

from . import services
from .choices import AckStatus
from .models import Acknowledgement, Briefing, Guideline, Issuance, Version

READ_ONLY = ["get", "head", "options"]


class GuidelineSerializer(serializers.ModelSerializer):
    owner_institution = serializers.PrimaryKeyRelatedField(read_only=True)
    mandate_due_on_jalali = JalaliField(source="mandate_due_on")

    class Meta:
        model = Guideline
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "owner_institution",
            "mandate_due_on",
            "mandate_due_on_jalali",
        ]


class GuidelineViewSet(ScopedViewSet):
    model = Guideline
    serializer_class = GuidelineSerializer
    http_method_names = READ_ONLY
    filterset_fields = ["kind"]
    ordering = ["id"]
    ordering_fields = ["id", "code"]


class VersionSerializer(serializers.ModelSerializer):
    author = serializers.PrimaryKeyRelatedField(read_only=True)
    approved_by = serializers.PrimaryKeyRelatedField(read_only=True)
    review_pending = serializers.BooleanField(read_only=True)

    class Meta:
        model = Version
        fields = [
            "id",
            "guideline",
            "number",
            "status",
            "minor",
            "summary",
            "author",
            "approved_by",
            "approved_at",
            "review_pending",
        ]
        read_only_fields = fields


class IssueSerializer(serializers.Serializer):
    issued_on = serializers.DateField(required=False, validators=[DateRange("any")])
    deadline = serializers.DateField(required=False, validators=[DateRange("any")])
    audience_province = serializers.SlugRelatedField(
        slug_field="code", queryset=Province.objects.all(), required=False, allow_null=True
    )
    audience_kind = serializers.CharField(required=False, allow_blank=True, max_length=20)
    emergency_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class IssuanceSerializer(serializers.ModelSerializer):
    guideline = serializers.IntegerField(source="version.guideline_id", read_only=True)
    issued_on_jalali = JalaliField(source="issued_on")
    deadline_jalali = JalaliField(source="deadline")

    class Meta:
        model = Issuance
        fields = [
            "id",
            "number",
            "guideline",
            "version",
            "issued_on",
            "issued_on_jalali",
            "deadline",
            "deadline_jalali",
            "content_hash",
            "current",
        ]
        read_only_fields = fields


class VersionViewSet(ScopedViewSet):
    model = Version
    serializer_class = VersionSerializer
    http_method_names = [*READ_ONLY, "post"]
    filterset_fields = ["guideline", "status"]
    ordering = ["id"]
    ordering_fields = ["id", "number"]

    def create(self, request, *args, **kwargs):
        # Versions start from a guideline's page or its service; not by a bare POST.
        return self.http_method_not_allowed(request, *args, **kwargs)

    def _respond(self, version):
        version.refresh_from_db()
        return Response(VersionSerializer(version, context={"request": self.request}).data)

    @extend_schema(request=None, responses=VersionSerializer)
    @api_action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft for review."""
        return self._respond(services.version_submit(actor=request.user, version=self.get_object()))

    @extend_schema(request=None, responses=VersionSerializer)
    @api_action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a version in review (never by its author)."""
        return self._respond(
            services.version_approve(actor=request.user, version=self.get_object())
        )

    @extend_schema(request=IssueSerializer, responses=IssuanceSerializer)
    @api_action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Issue an approved version (or, with `emergency_reason`, one not yet approved)."""
        version = self.get_object()
        serializer = IssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issuance = services.version_issue(
            actor=request.user, version=version, **serializer.validated_data
        )
        return Response(IssuanceSerializer(issuance, context={"request": request}).data, 201)


class IssuanceViewSet(ScopedViewSet):
    model = Issuance
    serializer_class = IssuanceSerializer
    http_method_names = READ_ONLY
    filterset_fields = ["current"]
    ordering = ["id"]
    ordering_fields = ["id", "issued_on"]

    def get_queryset(self):
        return super().get_queryset().select_related("version")


class AcknowledgementFilterSet(django_filters.FilterSet):
    issuance = django_filters.NumberFilter(field_name="issuance_id")
    institution = django_filters.NumberFilter(field_name="institution_id")
    status = django_filters.ChoiceFilter(choices=AckStatus.choices)

    class Meta:
        model = Acknowledgement
        fields = ["issuance", "institution", "status"]


class AcknowledgementSerializer(serializers.ModelSerializer):
    deadline_jalali = JalaliField(source="deadline")
    briefed = serializers.IntegerField(read_only=True)
    staff = serializers.IntegerField(read_only=True)

    class Meta:
        model = Acknowledgement
        fields = [
            "id",
            "issuance",
            "institution",
            "status",
            "joined_on",
            "deadline",
            "deadline_jalali",
            "acknowledged_at",
            "briefed",
            "staff",
        ]
        read_only_fields = fields


class AcknowledgementViewSet(ScopedViewSet):
    model = Acknowledgement
    serializer_class = AcknowledgementSerializer
    http_method_names = READ_ONLY
    filterset_class = AcknowledgementFilterSet
    ordering = ["id"]
    ordering_fields = ["id", "deadline"]

    def get_queryset(self):
        today = timezone.localdate()
        current = Q(end_date__isnull=True) | Q(end_date__gt=today)
        staff = (
            Employment.objects.filter(current, institution_id=OuterRef("institution_id"))
            .order_by()
            .values("institution_id")
            .annotate(n=Count("person_id", distinct=True))
            .values("n")
        )
        briefed = (
            Briefing.attendees.through.objects.filter(
                briefing__acknowledgement__institution_id=OuterRef("institution_id"),
                briefing__acknowledgement__issuance__version__guideline_id=OuterRef(
                    "issuance__version__guideline_id"
                ),
                person_id__in=Employment.objects.filter(
                    current, institution_id=OuterRef(OuterRef("institution_id"))
                ).values("person_id"),
            )
            .order_by()
            .values("briefing__acknowledgement__institution_id")
            .annotate(n=Count("person_id", distinct=True))
            .values("n")
        )
        return (
            super()
            .get_queryset()
            .annotate(
                staff=Coalesce(Subquery(staff, output_field=IntegerField()), 0),
                briefed=Coalesce(Subquery(briefed, output_field=IntegerField()), 0),
            )
        )
