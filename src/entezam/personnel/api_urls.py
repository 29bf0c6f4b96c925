from rest_framework.routers import SimpleRouter

from .api import EmploymentViewSet, PersonViewSet

router = SimpleRouter()
router.register("people", PersonViewSet, basename="person")
router.register("employments", EmploymentViewSet, basename="employment")

urlpatterns = router.urls
