"""The Django admin shows domain data read-only; every app registers its models with
`ReadOnlyAdmin`. Who may enter the admin at all is decided once, on the site (accounts)."""

from django.contrib import admin

from .models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "time", "actor_name", "role", "action", "object_type", "object_id"]
    list_filter = ["action", "role"]
    search_fields = ["object_id", "actor_name", "request_id"]
