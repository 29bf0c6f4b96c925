from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("send/", views.PublicSubmitView.as_view(), name="submit"),
    path("track/", views.TrackView.as_view(), name="track"),
    path("track/<str:code>/", views.StatusView.as_view(), name="status"),
    path("console/", views.ConsoleView.as_view(), name="console"),
    path("suggest/", views.SuggestView.as_view(), name="suggest"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("statistics/export.xlsx", views.StatisticsExportView.as_view(), name="export"),
    path("<int:pk>/", views.FeedbackDetailView.as_view(), name="detail"),
    path("rules/", views.RoutingRuleListView.as_view(), name="rules"),
    path("rules/new/", views.RoutingRuleEditView.as_view(), name="rule_add"),
    path("rules/<int:pk>/edit/", views.RoutingRuleEditView.as_view(), name="rule_edit"),
]
