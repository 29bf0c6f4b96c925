from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("menu/", views.NotificationDropdownView.as_view(), name="dropdown"),
    path("read-all/", views.NotificationsReadAllView.as_view(), name="read_all"),
    path("<int:pk>/read/", views.NotificationReadView.as_view(), name="read"),
    path("export.xlsx", views.NotificationExportView.as_view(), name="export"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("follow/", views.FollowView.as_view(), name="follow"),
    path("deliveries/", views.DeliveryListView.as_view(), name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.DeliveryRetryView.as_view(), name="delivery_retry"),
]
