import uuid

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .context import RequestContext, current_request


def client_ip(request) -> str | None:
    # Behind the proxy the deployment names; REMOTE_ADDR otherwise.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestIdMiddleware:
    """Gives each request an id (kept from a sane X-Request-ID) for its audit events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else ""
        request.request_id = request_id or uuid.uuid4().hex
        token = current_request.set(RequestContext(request.request_id, client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class PersianFirstLocaleMiddleware:
    """Persian unless the user chose English with the language switch.

    The browser's Accept-Language is ignored on purpose: most of our users run browsers
    installed in English but work in Persian.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class NoStoreMiddleware:
    """Pages and API answers for a signed-in user hold personal data: no cache (a shared
    computer's browser, a proxy) may keep them. Static files are served before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response
