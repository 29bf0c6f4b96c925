import pytest

from tests.vetting.factories import ApplicationFactory, StandardFactory, eligible_applicant


@pytest.fixture
def guard_standard(db):
    """GUARD v1, active, with every rule kind."""
    return StandardFactory(code="GUARD", version=1)


@pytest.fixture
def apps(world, guard_standard):
    """One submitted application of an eligible applicant at each of inst_a, inst_a2 and
    inst_b, by the institution's key."""
    return {
        key: ApplicationFactory(
            person=eligible_applicant(), institution=getattr(world, key), standard=guard_standard
        )
        for key in ("inst_a", "inst_a2", "inst_b")
    }
