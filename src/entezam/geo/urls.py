from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("units/", views.PoliceUnitListView.as_view(), name="unit_list"),
    path("units/new/", views.PoliceUnitEditView.as_view(), name="unit_create"),
    path("units/<int:pk>/", views.PoliceUnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.PoliceUnitEditView.as_view(), name="unit_update"),
]
