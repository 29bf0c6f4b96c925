"""The demo step: Persian courses and sessions, certificates through the services, once."""

import random

import pytest

from entezam.accounts.seed import system_actor
from entezam.training.models import Certificate, Course, Enrolment, Session
from entezam.training.seed import demo_seed
from tests.training.conftest import approved_applicant

pytestmark = pytest.mark.django_db


def test_the_demo_step_trains_and_certifies_approved_applicants_once(world):
    tehran = world.province_a  # code 23, as the demo's Tehran
    for _ in range(6):
        approved_applicant(world.inst_a)
    message = demo_seed(actor=system_actor(), rng=random.Random(4), options={})
    assert "courses: 4" in message
    assert Course.objects.filter(title__contains="پلیس‌یار").exists()
    assert Session.objects.filter(province=tehran, status="in_progress").exists()
    assert Enrolment.objects.count() == 6
    assert Certificate.objects.exists()
    assert demo_seed(actor=system_actor(), rng=random.Random(4), options={}) is None
    assert Enrolment.objects.count() == 6
