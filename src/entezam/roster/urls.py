from django.urls import path

from . import views

app_name = "roster"

urlpatterns = [
    path("", views.RosterUploadView.as_view(), name="upload"),
    path("template.xlsx", views.RosterTemplateView.as_view(), name="template"),
    path("jobs/<int:pk>/", views.RosterJobView.as_view(), name="job"),
    path("jobs/<int:pk>/progress/", views.RosterJobProgressView.as_view(), name="job_progress"),
    path("jobs/<int:pk>/rerun/", views.RosterJobRerunView.as_view(), name="job_rerun"),
    path(
        "jobs/<int:pk>/report.<str:fmt>",
        views.RosterReportView.as_view(),
        name="report",
    ),
]
