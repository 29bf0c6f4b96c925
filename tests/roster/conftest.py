import pytest

from tests.roster.files import active_standards


@pytest.fixture
def setup(world, settings, tmp_path):
    """The world, with jobs run inline, media in a temporary folder and a standard for
    every position."""
    settings.ENTEZAM_JOBS_INLINE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    active_standards()
    return world
