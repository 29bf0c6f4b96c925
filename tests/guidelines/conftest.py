import datetime

import pytest

from entezam.guidelines import services
from tests.accounts.factories import user_with_role

ISSUED_ON = datetime.date(2025, 11, 1)


@pytest.fixture
def hq2(world):
    """A second HQ administrator (the approver: never the author)."""
    return user_with_role("hq_admin", username="hq2")


def draft(world, *, code="COOP", clauses=None, author=None):
    author = author or world.hq_admin
    guideline = services.guideline_create(
        actor=author, code=code, title="شیوه‌نامه همکاری", kind="cooperation"
    )
    version = guideline.versions.get()
    for number, title, body, evidence in clauses or [
        ("1", "کلیات", "", ""),
        ("1.1", "هدف", "این شیوه‌نامه همکاری موسسات با کلانتری‌ها را تنظیم می‌کند.", ""),
        ("2.1", "رابط", "هر موسسه برای هر کلانتری یک رابط معرفی می‌کند.", "نام رابط"),
        ("2.2", "گزارش", "موسسه رخدادها را در همان روز به کلانتری گزارش می‌دهد.", ""),
    ]:
        services.clause_save(
            actor=author,
            version=version,
            number=number,
            title=title,
            body=body,
            is_heading=not body,
            requires_evidence=bool(evidence),
            evidence_label=evidence,
        )
    return version


def issued(world, approver, *, issued_on=ISSUED_ON, **kwargs):
    version = draft(world, **kwargs)
    services.version_submit(actor=world.hq_admin, version=version)
    services.version_approve(actor=approver, version=version)
    return services.version_issue(actor=world.hq_admin, version=version, issued_on=issued_on)


@pytest.fixture
def issuance(world, hq2):
    return issued(world, hq2)
