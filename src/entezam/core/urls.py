from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
]
