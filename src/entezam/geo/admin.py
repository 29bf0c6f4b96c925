from django.contrib import admin

from entezam.core.admin import ReadOnlyAdmin

from .models import County, PoliceUnit, Province


@admin.register(PoliceUnit)
class PoliceUnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name"]


admin.site.register(Province, ReadOnlyAdmin)
admin.site.register(County, ReadOnlyAdmin)
