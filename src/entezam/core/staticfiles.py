"""The static files storage served in production."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's compressed manifest storage, remembering each file's hashed URL.

    The manifest is read once when the process starts and does not change while it runs,
    so a name's URL is looked up once per process (16 µs each, a dozen per page) instead
    of on every `{% static %}`. A missing file still raises every time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url
