"""The demo step: the cooperation guideline in Persian, issued twice, acknowledgements in
every state, procedures under review and approved; run twice, it adds nothing."""

import random

import pytest

from entezam.guidelines.models import Acknowledgement, Guideline, Version
from entezam.guidelines.seed import demo_seed
from tests.accounts.factories import user_with_role
from tests.personnel.factories import EmploymentFactory

pytestmark = pytest.mark.django_db


def test_demo_guidelines(world):
    user_with_role("hq_admin", username="admin")
    user_with_role("province_officer", world.province_a, username="tehran")
    for _ in range(3):
        EmploymentFactory(institution=world.inst_a)
    message = demo_seed(actor=None, rng=random.Random(3), options={})
    assert message.startswith("guidelines: 3 issuances")
    assert demo_seed(actor=None, rng=random.Random(3), options={}) == "guidelines: already seeded"
    coop = Guideline.objects.get(code="COOP-1404")
    assert coop.title.startswith("شیوه‌نامه همکاری")
    v1, v2 = Version.objects.filter(guideline=coop).order_by("number")
    assert (v1.status, v2.status) == ("superseded", "issued")
    assert v1.clauses.filter(is_heading=True).count() == 8
    home = Acknowledgement.objects.get(issuance__version=v2, institution=world.inst_a)
    # The demo manager acknowledged v1; v2 asks only for the two changed clauses, extended.
    assert len(home.clauses_to_confirm) == 2 and home.status == "extended"
    statuses = set(Acknowledgement.objects.values_list("status", flat=True))
    assert {"acknowledged", "extended"} <= statuses
    assert Version.objects.filter(guideline__owner_institution=world.inst_a, status="in_review")
