"""One loop mounts every Entezam app: its `urls.py` under `AppConfig.url_prefix`, its
`api_urls.py` under `/api/v1/`. Adding an app needs no change here."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from entezam.core.views import HomeView


def _entezam_apps():
    for config in apps.get_app_configs():
        if config.name.startswith("entezam.") or hasattr(config, "url_prefix"):
            yield config


def _module(config, name: str):
    dotted = f"{config.name}.{name}"
    return import_module(dotted) if find_spec(dotted) is not None else None


app_urls = []
api_urls = []
public_urls = []
for config in _entezam_apps():
    # Public pages at the root (`/g/<number>`), without the app's prefix.
    if (module := _module(config, "public_urls")) is not None:
        public_urls.append(path("", include(module)))
    if (module := _module(config, "urls")) is not None:
        app_urls.append(path(getattr(config, "url_prefix", f"{config.label}/"), include(module)))
    if (module := _module(config, "api_urls")) is not None:
        api_urls.append(path("api/v1/", include(module)))

urlpatterns = [
    # Public pages first: the card check is the busiest page, and a pattern list walked to
    # its end costs every request the time of the walk.
    *public_urls,
    path("", HomeView.as_view(), name="home"),
    *app_urls,
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    *api_urls,
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

handler400 = "entezam.core.views.bad_request"
handler403 = "entezam.core.views.permission_denied"
handler404 = "entezam.core.views.page_not_found"
handler500 = "entezam.core.views.server_error"
