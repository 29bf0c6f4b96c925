from django.urls import path

from . import views

app_name = "personnel"

urlpatterns = [
    path("", views.PersonListView.as_view(), name="list"),
    path("<int:pk>/", views.PersonDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PersonEditView.as_view(), name="update"),
    path("<int:pk>/photo/", views.PersonPhotoView.as_view(), name="photo"),
]
