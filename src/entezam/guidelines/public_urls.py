"""Pages without login, mounted at the site's root: `/g/1404/0012` checks an issuance."""

from django.urls import path

from . import views

urlpatterns = [
    path("g/<int:year>/<str:serial>", views.public_check, name="guideline_check"),
]
