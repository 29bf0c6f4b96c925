"""The demo step fills the 197 centre with messages at every step of their case, once."""

import random

import pytest

from entezam.feedback.choices import Category, Status
from entezam.feedback.models import Feedback
from entezam.feedback.seed import demo_seed

pytestmark = pytest.mark.django_db


def test_demo_messages_are_created_once(world):
    message = demo_seed(actor=None, rng=random.Random(1), options={})
    assert message.startswith("feedback: ") and Feedback.objects.count() >= 40
    assert demo_seed(actor=None, rng=random.Random(1), options={}).endswith("already present")
    statuses = set(Feedback.objects.values_list("status", flat=True))
    assert {Status.NEW, Status.ASSIGNED, Status.RESOLVED, Status.CLOSED} <= statuses
    share = (
        Feedback.objects.filter(category=Category.APPRECIATION).count() / Feedback.objects.count()
    )
    assert 0.6 <= share <= 0.85
    assert Feedback.objects.filter(assignments__institution=world.inst_a).exists()
