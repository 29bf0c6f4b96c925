from django.contrib import admin

from entezam.core.admin import ReadOnlyAdmin

from .models import Institution


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyAdmin):
    list_display = ["registration_number", "name", "province", "status", "licence_expires_on"]
    list_filter = ["status", "kind", "province"]
    search_fields = ["name", "registration_number", "licence_number"]
