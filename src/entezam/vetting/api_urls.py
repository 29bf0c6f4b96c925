from rest_framework.routers import SimpleRouter

from .api import ApplicationViewSet, BackgroundCheckViewSet, StandardViewSet

router = SimpleRouter()
router.register("standards", StandardViewSet, basename="standard")
router.register("applications", ApplicationViewSet, basename="application")
router.register("background-checks", BackgroundCheckViewSet, basename="background-check")

urlpatterns = router.urls
