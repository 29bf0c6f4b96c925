from django.urls import path

from . import lookups, views

app_name = "core"

urlpatterns = [
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("lookup/<slug:name>/", lookups.lookup_view, name="lookup"),
]
