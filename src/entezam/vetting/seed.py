"""Reference selection standards: GUARD v1 and MANAGER v1, active (idempotent)."""

from entezam.personnel.choices import Education, Position

from .choices import RuleKind
from .models import Standard
from .services import standard_activate, standard_create_draft

_COMMON_CHECKS = {
    RuleKind.MILITARY_SERVICE: {},
    RuleKind.BACKGROUND_CHECK: {"valid_days": 365},
    RuleKind.MEDICAL_FITNESS: {},
    RuleKind.NOT_EMPLOYED_ELSEWHERE: {},
    RuleKind.NOT_REVOKED_RECENTLY: {"years": 5},
}

STANDARDS = [
    {
        "code": "GUARD",
        "title": "ضوابط گزینش پلیس‌یار و سرشیفت",
        "positions": [Position.GUARD, Position.SUPERVISOR],
        "rules": {
            RuleKind.AGE_RANGE: {"min": 20, "max": 45},
            RuleKind.MIN_EDUCATION: {"level": Education.DIPLOMA},
            **_COMMON_CHECKS,
        },
    },
    {
        "code": "MANAGER",
        "title": "ضوابط گزینش مدیران موسسه",
        "positions": [Position.MANAGER],
        "rules": {
            RuleKind.AGE_RANGE: {"min": 25, "max": 60},
            RuleKind.MIN_EDUCATION: {"level": Education.BACHELOR},
            **_COMMON_CHECKS,
        },
    },
]


def seed_standards(*, actor) -> int:
    """Create and activate the version-1 standards that do not exist yet; returns how many."""
    created = 0
    for spec in STANDARDS:
        if Standard.objects.filter(code=spec["code"]).exists():
            continue
        draft = standard_create_draft(actor=actor, **spec)
        standard_activate(actor=actor, standard=draft)
        created += 1
    return created
