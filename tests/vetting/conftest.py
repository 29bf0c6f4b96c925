import pytest

from tests.vetting.factories import StandardFactory


@pytest.fixture
def guard_standard(db):
    """GUARD v1, active, with every rule kind."""
    return StandardFactory(code="GUARD", version=1)
