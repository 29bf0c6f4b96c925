from django.urls import path

from . import exports, views

app_name = "vetting"

urlpatterns = [
    path("", views.PipelineView.as_view(), name="pipeline"),
    path("screen/", views.ScreenView.as_view(), name="screen"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("applications/new/", views.ApplicantRegisterView.as_view(), name="applicant_register"),
    path(
        "applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"
    ),
    path(
        "applications/<int:pk>/check/",
        views.BackgroundCheckRecordView.as_view(),
        name="check_record",
    ),
    path(
        "applications/<int:pk>/medical/",
        views.MedicalCertificateRecordView.as_view(),
        name="medical_record",
    ),
    path(
        "applications/<int:pk>/<slug:action>/",
        views.ApplicationActionView.as_view(),
        name="application_action",
    ),
    path("checks/import/", views.BackgroundCheckImportView.as_view(), name="check_import"),
    path("checks/template.xlsx", exports.check_template_view, name="check_template"),
    path("standards/", views.StandardListView.as_view(), name="standard_list"),
    path("standards/new/", views.StandardEditView.as_view(), name="standard_create"),
    path("standards/<int:pk>/", views.StandardDetailView.as_view(), name="standard_detail"),
    path("standards/<int:pk>/edit/", views.StandardEditView.as_view(), name="standard_update"),
    path(
        "standards/<int:pk>/activate/",
        views.StandardActivateView.as_view(),
        name="standard_activate",
    ),
]
