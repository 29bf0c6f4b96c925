from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from .api import CardViewSet, PublicKeyView, PublicVerifyView, RevocationListView

router = SimpleRouter()
router.register("cards", CardViewSet, basename="card")

urlpatterns = [
    *router.urls,
    path("public/credential-key/", PublicKeyView.as_view(), name="public-credential-key"),
    path("public/revocations/", RevocationListView.as_view(), name="public-revocations"),
    # Any text, control characters and newlines included, reaches the view (an unknown
    # token is an answer, not a routing 404).
    re_path(
        r"^public/verify/(?P<token>[\s\S]*)$", PublicVerifyView.as_view(), name="public-verify"
    ),
]
