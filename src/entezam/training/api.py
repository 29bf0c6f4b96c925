"""Training API: courses, sessions, enrolments, certificates. Every list is scoped as the
pages are; writes call the training services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action as api_action
from rest_framework.response import Response

from entezam.core.api.fields import IdentifierField, JalaliField
from entezam.core.api.viewsets import ScopedViewSet
from entezam.core.dates import DateRange
from entezam.institutions.models import Institution
from entezam.personnel.choices import Position
from entezam.personnel.models import Person

from . import services
from .choices import SESSION_TRANSITIONS
from .filtersets import CertificateFilterSet, CourseFilterSet, EnrolmentFilterSet, SessionFilterSet
from .forms import trainers
from .models import Certificate, Course, Enrolment, Session


class CourseSerializer(serializers.ModelSerializer):
    mandatory_for = serializers.ListField(
        child=serializers.ChoiceField(choices=Position.choices), required=False
    )
    prerequisites = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Course.objects.all(), required=False
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "code",
            "title",
            "audience",
            "hours",
            "pass_mark",
            "validity_months",
            "mandatory_for",
            "prerequisites",
            "syllabus",
            "syllabus_version",
            "is_active",
        ]
        read_only_fields = ["syllabus_version"]

    def _split(self, data):
        prerequisites = data.pop("prerequisites", None)
        syllabus = data.pop("syllabus", None)
        return prerequisites, syllabus

    def create(self, validated_data):
        prerequisites, syllabus = self._split(validated_data)
        return services.course_create(
            actor=self.context["request"].user,
            prerequisites=prerequisites,
            syllabus=syllabus or "",
            **validated_data,
        )

    def update(self, instance, validated_data):
        prerequisites, syllabus = self._split(validated_data)
        return services.course_update(
            actor=self.context["request"].user,
            course=instance,
            prerequisites=prerequisites,
            syllabus=syllabus,
            **validated_data,
        )


class SessionSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="code", queryset=Course.objects.all())
    province = serializers.SlugRelatedField(
        slug_field="code", queryset=Session._meta.get_field("province").related_model.objects
    )
    trainers = serializers.SlugRelatedField(slug_field="username", many=True, queryset=trainers())
    start_date = serializers.DateField(validators=[DateRange("any")])
    end_date = serializers.DateField(validators=[DateRange("any")])
    start_date_jalali = JalaliField(source="start_date")
    end_date_jalali = JalaliField(source="end_date")
    seats_taken = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "course",
            "province",
            "police_unit",
            "venue",
            "trainers",
            "start_date",
            "start_date_jalali",
            "end_date",
            "end_date_jalali",
            "capacity",
            "seats_taken",
            "status",
        ]
        read_only_fields = ["status"]

    def get_seats_taken(self, obj) -> int:
        taken = getattr(obj, "seats_taken", None)
        if taken is None:
            taken = obj.enrolments.exclude(result="withdrawn").count()
        return taken

    def create(self, validated_data):
        return services.session_create(
            actor=self.context["request"].user,
            trainers=list(validated_data.pop("trainers", [])),
            **validated_data,
        )

    def update(self, instance, validated_data):
        trainers_given = validated_data.pop("trainers", None)
        return services.session_update(
            actor=self.context["request"].user,
            session=instance,
            trainers=list(trainers_given) if trainers_given is not None else None,
            **validated_data,
        )


class EnrolmentSerializer(serializers.ModelSerializer):
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.none())
    national_code = IdentifierField(kind="national_code", write_only=True)
    institution = serializers.SlugRelatedField(
        slug_field="registration_number", queryset=Institution.objects.none()
    )
    person = serializers.IntegerField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "session",
            "national_code",
            "person",
            "person_name",
            "institution",
            "attendance",
            "score",
            "result",
            "certificate",
        ]
        read_only_fields = ["attendance", "score", "result"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["session"].queryset = Session.objects.visible_to(request.user)
            self.fields["institution"].queryset = Institution.objects.visible_to(request.user)

    def get_certificate(self, obj) -> str | None:
        certificate = getattr(obj, "certificate", None)
        return certificate.number if certificate else None

    def create(self, validated_data):
        user = self.context["request"].user
        person = (
            Person.objects.visible_to(user)
            .filter(national_code=validated_data["national_code"])
            .first()
        )
        if person is None:
            raise serializers.ValidationError(
                {"national_code": [_("No person with this national code is in your scope.")]}
            )
        return services.enrolment_create(
            actor=user,
            session=validated_data["session"],
            person=person,
            institution=validated_data["institution"],
        )


class AttendanceSerializer(serializers.Serializer):
    attendance = serializers.DictField(child=serializers.BooleanField())

    def validate_attendance(self, value):
        days = {}
        field = serializers.DateField()
        for key, present in value.items():
            days[field.to_internal_value(key)] = present
        return days


class ScoreSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100)


class WithdrawReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SessionTransitionSerializer(WithdrawReasonSerializer):
    action = serializers.ChoiceField(choices=sorted(SESSION_TRANSITIONS))


class BulkEnrolSerializer(serializers.Serializer):
    institution = serializers.CharField(max_length=20)


class CertificateSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    course = serializers.CharField(source="course.code", read_only=True)
    issued_on_jalali = JalaliField(source="issued_on")
    expires_on_jalali = JalaliField(source="expires_on")

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "person",
            "person_name",
            "course",
            "issued_on",
            "issued_on_jalali",
            "expires_on",
            "expires_on_jalali",
            "status",
            "status_changed_at",
        ]
        read_only_fields = fields


class CourseViewSet(ScopedViewSet):
    model = Course
    serializer_class = CourseSerializer
    filterset_class = CourseFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering = ["code"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("prerequisites")


class SessionViewSet(ScopedViewSet):
    model = Session
    serializer_class = SessionSerializer
    filterset_class = SessionFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["start_date", "id"]
    ordering = ["-start_date", "-id"]

    def get_queryset(self):
        from .selectors import with_seats_taken

        return with_seats_taken(
            super().get_queryset().select_related("course", "province")
        ).prefetch_related("trainers")

    @extend_schema(request=SessionTransitionSerializer, responses={200: SessionSerializer})
    @api_action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Open, start, complete or cancel the session (a cancellation needs a reason)."""
        session = self.get_object()
        serializer = SessionTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_transition(
            actor=request.user,
            session=session,
            action=serializer.validated_data["action"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(SessionSerializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(request=BulkEnrolSerializer, responses={200: dict})
    @api_action(detail=True, methods=["post"], url_path="enrol-bulk")
    def enrol_bulk(self, request, pk=None):
        """Enrol every approved applicant of the institution who lacks the course."""
        session = self.get_object()
        serializer = BulkEnrolSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        institution = (
            Institution.objects.visible_to(request.user)
            .filter(registration_number=serializer.validated_data["institution"])
            .first()
        )
        if institution is None:
            return Response(
                {"institution": [_("No such institution in your scope.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        report = services.enrolments_create_bulk(
            actor=request.user, session=session, institution=institution
        )
        return Response(
            {
                "enrolled": [e.pk for e in report.enrolled],
                "refused": [
                    {"person": person.pk, "reason": reason} for person, reason in report.refused
                ],
                "left_out_for_capacity": report.left_out_for_capacity,
            }
        )


class EnrolmentViewSet(ScopedViewSet):
    model = Enrolment
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("person", "institution", "certificate")

    def _respond(self, enrolment):
        return Response(EnrolmentSerializer(self.get_queryset().get(pk=enrolment.pk)).data)

    @extend_schema(request=AttendanceSerializer, responses={200: EnrolmentSerializer})
    @api_action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record presence (true) or absence (false) per ISO day of the session."""
        enrolment = self.get_object()
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.enrolment_record_attendance(
            actor=request.user,
            enrolment=enrolment,
            attendance=serializer.validated_data["attendance"],
        )
        return self._respond(enrolment)

    @extend_schema(request=ScoreSerializer, responses={200: EnrolmentSerializer})
    @api_action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """Record the score; a pass issues the certificate."""
        enrolment = self.get_object()
        serializer = ScoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.enrolment_record_score(
            actor=request.user, enrolment=enrolment, score=serializer.validated_data["score"]
        )
        return self._respond(enrolment)

    @extend_schema(request=WithdrawReasonSerializer, responses={200: EnrolmentSerializer})
    @api_action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        enrolment = self.get_object()
        serializer = WithdrawReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.enrolment_withdraw(
            actor=request.user,
            enrolment=enrolment,
            reason=serializer.validated_data.get("reason", ""),
        )
        return self._respond(enrolment)


class CertificateViewSet(ScopedViewSet):
    model = Certificate
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    http_method_names = ["get", "head", "options"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("person", "course")
