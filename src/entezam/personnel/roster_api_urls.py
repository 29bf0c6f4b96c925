from django.urls import path

from . import roster_api

app_name = "roster-api"

urlpatterns = [
    path("", roster_api.RosterImportListCreateView.as_view(), name="list"),
    path("<int:pk>/", roster_api.RosterImportDetailView.as_view(), name="detail"),
]
