from django.urls import path

from . import lookups, views

app_name = "core"

urlpatterns = [
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("exports/<int:pk>/", views.ExportJobView.as_view(), name="export_job"),
    path(
        "exports/<int:pk>/progress/",
        views.ExportJobProgressView.as_view(),
        name="export_job_progress",
    ),
    path(
        "exports/<int:pk>/download/",
        views.ExportJobDownloadView.as_view(),
        name="export_job_download",
    ),
    path("lookup/<slug:name>/", lookups.lookup_view, name="lookup"),
]
