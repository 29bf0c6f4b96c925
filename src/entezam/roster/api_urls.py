from django.urls import path

from . import api

app_name = "roster-api"

urlpatterns = [
    path("roster-imports/", api.RosterImportListCreateView.as_view(), name="list"),
    path("roster-imports/<int:pk>/", api.RosterImportDetailView.as_view(), name="detail"),
    path("roster-imports/<int:pk>/errors/", api.RosterImportErrorsView.as_view(), name="errors"),
]
