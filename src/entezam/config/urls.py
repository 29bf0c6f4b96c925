from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from entezam.core.views import HomeView
from entezam.geo.api import PoliceUnitViewSet, ProvinceViewSet
from entezam.institutions.api import InstitutionViewSet

router = DefaultRouter()
router.register("provinces", ProvinceViewSet, basename="province")
router.register("police-units", PoliceUnitViewSet, basename="police-unit")
router.register("institutions", InstitutionViewSet, basename="institution")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("entezam.accounts.urls")),
    path("institutions/", include("entezam.institutions.urls")),
    path("geo/", include("entezam.geo.urls")),
    path("people/", include("entezam.personnel.urls")),
    path("roster/", include("entezam.personnel.roster_urls")),
    path("selection/", include("entezam.vetting.urls")),
    path("", include("entezam.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include("entezam.personnel.api_urls")),
    path("api/v1/", include("entezam.vetting.api_urls")),
    path("api/v1/roster-imports/", include("entezam.personnel.roster_api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"
    ),
]
