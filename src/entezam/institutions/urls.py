from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("", views.InstitutionListView.as_view(), name="list"),
    path("new/", views.InstitutionEditView.as_view(), name="create"),
    path("letters/<int:pk>/", views.LifecycleAttachmentView.as_view(), name="attachment"),
    path("<int:pk>/", views.InstitutionDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.InstitutionEditView.as_view(), name="update"),
    path("<int:pk>/<slug:action>/", views.InstitutionTransitionView.as_view(), name="transition"),
]
