from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import FeedbackViewSet, PublicStatusViewSet, PublicSubmitView

router = SimpleRouter()
router.register("feedback/public", PublicStatusViewSet, basename="feedback-public")
router.register("feedback", FeedbackViewSet, basename="feedback")

urlpatterns = [
    path("feedback/send/", PublicSubmitView.as_view(), name="feedback-send"),
    *router.urls,
]
