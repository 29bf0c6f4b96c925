from rest_framework.routers import SimpleRouter

from .api import PoliceUnitViewSet, ProvinceViewSet

router = SimpleRouter()
router.register("provinces", ProvinceViewSet, basename="province")
router.register("police-units", PoliceUnitViewSet, basename="police-unit")

urlpatterns = router.urls
