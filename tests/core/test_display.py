"""`get_<field>_display()` keeps Django's answers while translating only the label shown."""

import pytest
from django.utils import translation

from entezam.institutions.choices import InstitutionStatus
from entezam.institutions.models import Institution
from entezam.personnel.models import Employment


@pytest.mark.django_db
def test_a_choice_shows_its_label_in_the_active_language(world):
    institution = Institution.objects.get(pk=world.inst_a.pk)
    institution.status = InstitutionStatus.SUSPENDED
    with translation.override("en"):
        assert institution.get_status_display() == "Suspended"
    with translation.override("fa"):
        assert institution.get_status_display() == "تعلیق"
    with translation.override("en"):  # and back: nothing of one language is kept
        assert institution.get_status_display() == "Suspended"


def test_a_value_outside_the_choices_is_shown_as_it_is():
    employment = Employment(position="no-such-position")
    assert employment.get_position_display() == "no-such-position"
    assert Employment(position=None).get_position_display() is None
