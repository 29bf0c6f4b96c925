"""`/api/v1/notifications/`: the caller's own notifications; another user's is 404."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action as api_action
from rest_framework.response import Response

from entezam.core.api.pagination import LargeListPagination
from entezam.core.persian import format_jalali

from . import selectors, services
from .models import Notification


class JalaliDateTimeField(serializers.ReadOnlyField):
    """`1404/09/11 14:05` (Tehran time, ASCII digits) beside an ISO datetime."""

    def to_representation(self, value):
        return format_jalali(value, "datetime", digits="en") if value else None


class NotificationSerializer(serializers.ModelSerializer):
    event_display = serializers.CharField(source="get_event_display", read_only=True)
    unread = serializers.SerializerMethodField()
    created_at_jalali = JalaliDateTimeField(source="created_at")
    read_at_jalali = JalaliDateTimeField(source="read_at")

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "event_display",
            "title",
            "body",
            "url",
            "object_type",
            "object_id",
            "urgent",
            "unread",
            "created_at",
            "created_at_jalali",
            "read_at",
            "read_at_jalali",
        ]
        read_only_fields = fields

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["unread", "event"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's notifications, newest first (cursor-paginated); `?unread=true` for the
    unread ones. Marking read is the only write."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    pagination_class = LargeListPagination
    ordering_fields: list[str] = []

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @api_action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read."""
        notification = services.notification_mark_read(
            actor=request.user, notification=self.get_object()
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("NotificationsReadAll", {"marked": serializers.IntegerField()}),
    )
    @api_action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification of the caller read."""
        return Response({"marked": services.notifications_mark_all_read(actor=request.user)})

    @extend_schema(
        responses=inline_serializer("NotificationsUnread", {"unread": serializers.IntegerField()})
    )
    @api_action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        """How many unread notifications the caller has (counted up to 100)."""
        return Response({"unread": selectors.unread_count(request.user)})
