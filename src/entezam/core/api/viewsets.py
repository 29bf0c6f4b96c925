"""API base: every viewset's queryset is `visible_to(user, action)`; writes go through services."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions, viewsets

from entezam.core.scoping import allowed_roles, scoped_rows

WRITE_ACTIONS = {
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class ScopedViewSet(viewsets.ModelViewSet):
    model: type[models.Model]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        # Reads and writes both start from the rows the user may see: outside them is 404.
        return scoped_rows(self.model).visible_to(self.request.user, "view")

    def check_permissions(self, request):
        super().check_permissions(request)
        action = WRITE_ACTIONS.get(self.action)
        if action == "add" and not allowed_roles(request.user, self.model, "add"):
            raise exceptions.PermissionDenied()

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
