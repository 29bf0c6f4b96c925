"""Cards API (scoped) and the public verification JSON (no login)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from entezam.core.api.fields import JalaliField
from entezam.core.api.viewsets import ScopedViewSet

from .filtersets import CardFilterSet
from .models import Card
from .signing import public_key_b64, revocation_list
from .verification import client_address, verify
from .views import STATUS_CODES


class CardSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    institution = serializers.CharField(source="institution.registration_number", read_only=True)
    issued_on_jalali = JalaliField(source="issued_on")
    expires_on_jalali = JalaliField(source="expires_on")
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Card
        fields = [
            "id",
            "number",
            "status",
            "person",
            "person_name",
            "institution",
            "position",
            "issued_on",
            "issued_on_jalali",
            "expires_on",
            "expires_on_jalali",
            "status_changed_at",
            "verification_url",
        ]
        read_only_fields = fields

    def get_verification_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.verification_path()
        return request.build_absolute_uri(path) if request else path


class CardViewSet(ScopedViewSet):
    model = Card
    serializer_class = CardSerializer
    filterset_class = CardFilterSet
    http_method_names = ["get", "head", "options"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("person", "institution")


PUBLIC_ANSWER = inline_serializer(
    "PublicVerification",
    {
        "result": serializers.CharField(),
        "number": serializers.CharField(required=False),
        "first_name": serializers.CharField(required=False),
        "last_name": serializers.CharField(required=False),
        "institution": serializers.CharField(required=False),
        "position": serializers.CharField(required=False),
        "valid_until": serializers.DateField(required=False),
        "valid_until_jalali": serializers.CharField(required=False),
        "status_changed_at": serializers.DateTimeField(required=False, allow_null=True),
        "has_photo": serializers.BooleanField(required=False),
    },
)


class PublicVerifyView(APIView):
    """The public answer for a card's token: the same fields as the page, never a private one."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []  # the check keeps its own per-address limit

    @extend_schema(responses={200: PUBLIC_ANSWER, 404: PUBLIC_ANSWER, 429: PUBLIC_ANSWER})
    def get(self, request, token: str):
        answer = verify(token[:200], client_address(request), channel="api")
        response = Response(answer.public_fields(), status=STATUS_CODES.get(answer.result, 200))
        response["Cache-Control"] = "no-store"
        return response


class PublicKeyView(APIView):
    """The Ed25519 public key (raw, base64url) that signs card credentials and the list."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={200: inline_serializer("CredentialKey", {"ed25519": serializers.CharField()})}
    )
    def get(self, request):
        return Response({"ed25519": public_key_b64()})


class RevocationListView(APIView):
    """The signed list of card numbers not to trust, with its issue time (for offline checks)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={
            200: inline_serializer(
                "RevocationList",
                {
                    "issued_at": serializers.DateTimeField(),
                    "numbers": serializers.ListField(child=serializers.CharField()),
                    "signature": serializers.CharField(),
                },
            )
        }
    )
    def get(self, request):
        return Response(revocation_list())
