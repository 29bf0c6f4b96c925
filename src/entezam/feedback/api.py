"""`/api/v1/feedback/`: the public intake and status (no sign-in, rate-limited), the
staff's messages (scoped: outside the reader's scope is 404) and their handling actions,
and the classifier's suggestion. Writes go through the services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action as api_action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from entezam.core.persian import format_jalali
from entezam.core.scoping import allowed_roles
from entezam.geo.models import County, PoliceUnit, Province
from entezam.institutions.models import Institution

from . import classifier, selectors, services
from .choices import Category, Channel, Status
from .errors import MESSAGES
from .limits import submissions_allowed
from .models import REPLY_MAX_LENGTH, TEXT_MAX_LENGTH, Feedback


def _raise(error: DjangoValidationError):
    detail = (
        error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    )
    raise exceptions.ValidationError(detail)


class PublicSubmitSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    province = serializers.PrimaryKeyRelatedField(
        queryset=Province.objects.all(), required=False, allow_null=True, default=None
    )
    county = serializers.PrimaryKeyRelatedField(
        queryset=County.objects.all(), required=False, allow_null=True, default=None
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False, allow_null=True, default=None
    )
    website = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Leave empty (a field for bots).",
    )


class PublicEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    created_at = serializers.DateTimeField()


class PublicStatusSerializer(serializers.Serializer):
    """What the citizen may read: never a name, a contact, an assignee or an internal note."""

    tracking_code = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    category = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    due_date_jalali = serializers.CharField(allow_null=True)
    public_reply = serializers.CharField()
    answerable = serializers.BooleanField()
    events = PublicEventSerializer(many=True)


def _public_status(feedback: Feedback) -> dict:
    case = selectors.public_case(feedback)
    deadline = services.dispute_deadline(case)

    return {
        "tracking_code": feedback.tracking_code,
        "status": case.status,
        "status_display": str(case.get_status_display()),
        "category": case.category,
        "due_date": case.due_date if case.is_open else None,
        "due_date_jalali": format_jalali(case.due_date, digits="en")
        if case.is_open and case.due_date
        else None,
        "public_reply": case.public_reply,
        "answerable": case.status == Status.RESOLVED
        and feedback.duplicate_of_id is None
        and (deadline is None or timezone.now() <= deadline),
        "events": list(case.events.filter(public=True).order_by("id")),
    }


class PublicThrottle(AnonRateThrottle):
    scope = "anon"


class PublicSubmitView(APIView):
    """Send a message to 197 without signing in; answers the tracking code."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]

    @extend_schema(request=PublicSubmitSerializer, responses={201: PublicStatusSerializer})
    def post(self, request):
        if not submissions_allowed(request):
            raise exceptions.Throttled(detail=str(MESSAGES["too_many_submissions"]))
        serializer = PublicSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["website"]:
            raise exceptions.ValidationError({"website": ["Leave this field empty."]})
        try:
            feedback = services.feedback_submit(
                channel=Channel.API,
                text=data["text"],
                name=data["name"],
                contact=data["contact"],
                province=data["province"],
                county=data["county"],
                place=data["place"],
                subject_institution=data["institution"],
            )
        except DjangoValidationError as error:
            _raise(error)
        return Response(
            PublicStatusSerializer(_public_status(feedback)).data, status=status.HTTP_201_CREATED
        )


class DisputeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class PublicStatusViewSet(viewsets.ViewSet):
    """A message by its tracking code: its status and public reply; confirm or dispute."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9]{1,20}"

    @extend_schema(responses=PublicStatusSerializer)
    def retrieve(self, request, code=None):
        return Response(PublicStatusSerializer(_public_status(selectors.public_lookup(code))).data)

    @extend_schema(request=None, responses=PublicStatusSerializer)
    @api_action(detail=True, methods=["post"])
    def confirm(self, request, code=None):
        """The citizen confirms the resolution: the case closes."""
        feedback = selectors.public_lookup(code)
        try:
            services.feedback_confirm(feedback=feedback)
        except DjangoValidationError as error:
            _raise(error)
        return Response(PublicStatusSerializer(_public_status(selectors.public_lookup(code))).data)

    @extend_schema(request=DisputeSerializer, responses=PublicStatusSerializer)
    @api_action(detail=True, methods=["post"])
    def dispute(self, request, code=None):
        """The citizen disputes the resolution: the case reopens one level up."""
        feedback = selectors.public_lookup(code)
        serializer = DisputeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.feedback_dispute(feedback=feedback, note=serializer.validated_data["note"])
        except DjangoValidationError as error:
            _raise(error)
        return Response(PublicStatusSerializer(_public_status(selectors.public_lookup(code))).data)


class AssignmentSerializer(serializers.Serializer):
    level = serializers.CharField()
    target = serializers.CharField(source="target_name")
    is_active = serializers.BooleanField()
    assigned_at = serializers.DateTimeField()


class FeedbackSerializer(serializers.ModelSerializer):
    """A message as staff read it; `name` and `contact` are blank unless the reader is an
    operator or the current assignee."""

    name = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    assignments = AssignmentSerializer(many=True, read_only=True)
    due_date_jalali = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = [
            "id",
            "tracking_code",
            "channel",
            "text",
            "name",
            "contact",
            "province",
            "county",
            "place",
            "subject_person",
            "subject_institution",
            "subject_police_unit",
            "suggested_category",
            "suggested_confidence",
            "category",
            "category_confirmed_at",
            "priority",
            "status",
            "due_date",
            "due_date_jalali",
            "breached",
            "escalations",
            "disputes",
            "public_reply",
            "resolved_at",
            "closed_at",
            "duplicate_of",
            "assignments",
            "created_at",
        ]
        read_only_fields = fields

    def _contact_visible(self, obj) -> bool:
        return selectors.can_see_contact(self.context["request"].user, obj)

    def get_name(self, obj) -> str:
        return obj.name if self._contact_visible(obj) else ""

    def get_contact(self, obj) -> str:
        return obj.contact if self._contact_visible(obj) else ""

    def get_due_date_jalali(self, obj) -> str | None:
        return format_jalali(obj.due_date, digits="en") if obj.due_date else None


class CallSerializer(serializers.Serializer):
    """An operator's phone call."""

    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(
        choices=Category.choices, required=False, allow_blank=True, default=""
    )
    urgent = serializers.BooleanField(required=False, default=False)
    province = serializers.PrimaryKeyRelatedField(
        queryset=Province.objects.all(), required=False, allow_null=True, default=None
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    subject_national_code = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=""
    )
    subject_institution = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    subject_police_unit = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )


class TriageSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    urgent = serializers.BooleanField(required=False, allow_null=True, default=None)


class ResolveSerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=REPLY_MAX_LENGTH)


class RerouteSerializer(serializers.Serializer):
    police_unit = serializers.PrimaryKeyRelatedField(
        queryset=PoliceUnit.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False, allow_null=True, default=None
    )
    reason = serializers.CharField(max_length=500)


class FeedbackReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class SuggestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)


SuggestionSerializer = inline_serializer(
    "FeedbackSuggestion",
    {
        "category": serializers.ChoiceField(choices=Category.choices),
        "confidence": serializers.FloatField(),
        "urgent": serializers.BooleanField(),
    },
)


class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Citizen messages in the reader's scope (newest first); operators add phone calls
    (`POST`), triage; assignees start, resolve, re-route ("not responsible") and escalate."""

    serializer_class = FeedbackSerializer
    filterset_fields = ["status", "category", "priority"]
    ordering_fields: list[str] = []

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
        return selectors.feedback_list(user=self.request.user).prefetch_related("assignments")

    def _run(self, serializer_class, call):
        data = None
        if serializer_class is not None:
            serializer = serializer_class(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        feedback = self.get_object()
        call(feedback, data)
        feedback.refresh_from_db()
        return Response(FeedbackSerializer(feedback, context={"request": self.request}).data)

    @extend_schema(request=CallSerializer, responses={201: FeedbackSerializer})
    def create(self, request):
        if not allowed_roles(request.user, Feedback, "triage"):
            raise exceptions.PermissionDenied()
        serializer = CallSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subjects = selectors.subject_lookup(
            user=request.user,
            national_code=data.pop("subject_national_code"),
            registration_number=data.pop("subject_institution"),
            unit_code=data.pop("subject_police_unit"),
        )
        feedback = services.feedback_submit(
            actor=request.user, channel=Channel.PHONE, **data, **subjects
        )
        return Response(
            FeedbackSerializer(feedback, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=TriageSerializer, responses=FeedbackSerializer)
    @api_action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        """Confirm or correct the category (kept for training) and route the message."""
        return self._run(
            TriageSerializer,
            lambda f, d: services.feedback_triage(
                actor=request.user, feedback=f, category=d["category"], urgent=d["urgent"]
            ),
        )

    @extend_schema(request=None, responses=FeedbackSerializer)
    @api_action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start working on an assigned message."""
        return self._run(None, lambda f, d: services.feedback_start(actor=request.user, feedback=f))

    @extend_schema(request=ResolveSerializer, responses=FeedbackSerializer)
    @api_action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve with the public reply the citizen reads."""
        return self._run(
            ResolveSerializer,
            lambda f, d: services.feedback_resolve(
                actor=request.user, feedback=f, reply=d["reply"]
            ),
        )

    @extend_schema(request=RerouteSerializer, responses=FeedbackSerializer)
    @api_action(detail=True, methods=["post"])
    def reroute(self, request, pk=None):
        """Not responsible: name the police unit or institution that is."""
        return self._run(
            RerouteSerializer,
            lambda f, d: services.feedback_reroute(
                actor=request.user,
                feedback=f,
                police_unit=d["police_unit"],
                institution=d["institution"],
                reason=d["reason"],
            ),
        )

    @extend_schema(request=FeedbackReasonSerializer, responses=FeedbackSerializer)
    @api_action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Send the message to the next level."""
        return self._run(
            FeedbackReasonSerializer,
            lambda f, d: services.feedback_escalate(
                actor=request.user, feedback=f, reason=d["reason"]
            ),
        )

    @extend_schema(request=SuggestSerializer, responses=SuggestionSerializer)
    @api_action(detail=False, methods=["post"])
    def suggest(self, request):
        """The suggested category, its confidence and urgency for a text."""
        if not allowed_roles(request.user, Feedback, "triage"):
            raise exceptions.PermissionDenied()
        serializer = SuggestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prediction = classifier.classify(serializer.validated_data["text"])
        return Response(
            {
                "category": prediction.category,
                "confidence": prediction.confidence,
                "urgent": prediction.urgent,
            }
        )
