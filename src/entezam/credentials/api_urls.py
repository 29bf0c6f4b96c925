from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .api import CardViewSet, PublicVerifyView

router = SimpleRouter()
router.register("cards", CardViewSet, basename="card")

urlpatterns = [
    *router.urls,
    re_path(r"^public/verify/(?P<token>.*)$", PublicVerifyView.as_view(), name="public-verify"),
]
