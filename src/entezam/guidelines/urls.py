from django.urls import path

from . import views

app_name = "guidelines"

urlpatterns = [
    path("", views.guideline_list, name="guideline_list"),
    path("new/", views.guideline_create, name="guideline_create"),
    path("<int:pk>/", views.guideline_detail, name="guideline_detail"),
    path("<int:pk>/versions/new/", views.version_start, name="version_start"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/diff/", views.version_diff, name="version_diff"),
    path("versions/<int:pk>/clauses/new/", views.clause_edit, name="clause_add"),
    path("versions/<int:pk>/clauses/<int:clause_pk>/", views.clause_edit, name="clause_edit"),
    path(
        "versions/<int:pk>/clauses/<int:clause_pk>/delete/",
        views.clause_delete,
        name="clause_delete",
    ),
    path("versions/<int:pk>/<slug:action>/", views.version_action, name="version_action"),
    path("issuances/", views.issuance_list, name="issuance_list"),
    path("issuances/<int:pk>/", views.issuance_detail, name="issuance_detail"),
    path("issuances/<int:pk>/export.xlsx", views.issuance_export, name="issuance_export"),
    path("issuances/<int:pk>/letter.pdf", views.issuance_pdf, name="issuance_pdf"),
    path("pending/", views.pending, name="pending"),
    path("acknowledgements/<int:pk>/", views.ack_detail, name="ack_detail"),
    path("acknowledgements/<int:pk>/<slug:action>/", views.ack_action, name="ack_action"),
    path("procedures/", views.procedures, name="procedures"),
]
