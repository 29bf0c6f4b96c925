import pytest

from tests.accounts.factories import user_with_role
from tests.personnel.factories import EmploymentFactory, PersonFactory
from tests.training.factories import CourseFactory, SessionFactory
from tests.vetting.factories import ApplicationFactory


def approved_applicant(institution, position="guard", **person):
    """A person with an approved application at `institution` and their employment there."""
    person = PersonFactory(applicant=True, **person)
    ApplicationFactory(person=person, institution=institution, position=position, status="approved")
    EmploymentFactory(person=person, institution=institution, position=position)
    return person


@pytest.fixture
def course(db):
    return CourseFactory(code="GRD-1", title="آموزش پایه پلیس‌یار", pass_mark=60)


@pytest.fixture
def session(world, course):
    """An open session of the course in province A, taught by the world's trainer."""
    return SessionFactory(course=course, province=world.province_a, trainers=[world.trainer])


@pytest.fixture
def foreign_session(world, course):
    """A session in province B, taught by another trainer."""
    other = user_with_role("trainer", username="trainer_b")
    return SessionFactory(course=course, province=world.province_b, trainers=[other])
