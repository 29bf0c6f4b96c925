from rest_framework.routers import SimpleRouter

from .api import AcknowledgementViewSet, GuidelineViewSet, IssuanceViewSet, VersionViewSet

router = SimpleRouter()
router.register("guidelines", GuidelineViewSet, basename="guideline")
router.register("guideline-versions", VersionViewSet, basename="guideline-version")
router.register("issuances", IssuanceViewSet, basename="issuance")
router.register("acknowledgements", AcknowledgementViewSet, basename="acknowledgement")

urlpatterns = router.urls
