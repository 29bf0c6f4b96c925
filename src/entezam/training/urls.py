from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.SessionListView.as_view(), name="session_list"),
    path("calendar/", views.SessionCalendarView.as_view(), name="session_calendar"),
    path("sessions/new/", views.SessionEditView.as_view(), name="session_create"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", views.SessionEditView.as_view(), name="session_update"),
    path("sessions/<int:pk>/enrol/", views.SessionEnrolView.as_view(), name="session_enrol"),
    path("sessions/<int:pk>/grade/", views.SessionGradeView.as_view(), name="session_grade"),
    path(
        "sessions/<int:pk>/<slug:action>/",
        views.SessionActionView.as_view(),
        name="session_action",
    ),
    path("courses/", views.CourseListView.as_view(), name="course_list"),
    path("courses/new/", views.CourseEditView.as_view(), name="course_create"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/edit/", views.CourseEditView.as_view(), name="course_update"),
    path("certificates/", views.CertificateListView.as_view(), name="certificate_list"),
    path(
        "certificates/<int:pk>/", views.CertificateDetailView.as_view(), name="certificate_detail"
    ),
    path(
        "certificates/<int:pk>/revoke/",
        views.CertificateRevokeView.as_view(),
        name="certificate_revoke",
    ),
    path("lapsing/", views.LapsingView.as_view(), name="lapsing"),
    path("lapsing/export.xlsx", views.LapsingExportView.as_view(), name="lapsing_export"),
]
