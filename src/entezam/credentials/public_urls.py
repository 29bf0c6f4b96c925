"""The card check, mounted at the site's root before every app's pages (it is the busiest
public page, so it is the first pattern a request meets): `/v/<token>` and its photo."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("v/<str:token>/photo.jpg", views.verify_photo, name="card_verify_photo"),
    # Any text after /v/ (also slashes, dots, non-ASCII) gets the page: "unknown" at worst.
    re_path(r"^v/(?P<token>.*)$", views.verify_page, name="card_verify"),
]
