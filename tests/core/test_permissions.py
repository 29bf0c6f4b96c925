"""Who reads which audit events: the shared suite (tests/permissions.py) over events about
inst_a (home), inst_a2 (same province) and inst_b (another province)."""

import pytest

from entezam.core.models import AuditEvent
from entezam.institutions import services
from tests.permissions import ListTests

pytestmark = pytest.mark.django_db


class TestAuditEventPermissions(ListTests):
    model = AuditEvent
    keys = ("inst_a", "inst_a2", "inst_b")
    foreign = "inst_b"
    # Each event is read in the scope of the institution it is about; operators and
    # trainers read none.
    visible = {
        "hq_admin": {"inst_a", "inst_a2", "inst_b"},
        "hq_analyst": {"inst_a", "inst_a2", "inst_b"},
        "province_officer": {"inst_a", "inst_a2"},
        "station_officer": {"inst_a"},
        "manager": {"inst_a"},
    }

    @pytest.fixture
    def objects(self, world):
        events = {}
        for key in self.keys:
            institution = services.institution_transition(
                actor=world.hq_admin,
                institution=getattr(world, key),
                action="suspend",
                reason=f"گزارش بازرسی شماره {getattr(world, key).registration_number}",
            )
            events[key] = AuditEvent.objects.get(
                action="institution.suspend", object_id=str(institution.pk)
            )
        return events

    list_url = "/audit/"
    list_context = "history"
    list_shows = "{obj.reason}"
