"""What the selection lists export (`?export=xlsx|csv`): the columns each list shows."""

from django.utils.translation import gettext_lazy as _

from entezam.core.exports import Column

APPLICATION_COLUMNS = [
    Column(_("Applicant"), lambda a: str(a.person)),
    Column(_("Institution"), lambda a: a.institution.name),
    Column(_("Position"), lambda a: a.get_position_display()),
    Column(_("Standard"), lambda a: str(a.standard)),
    Column(_("Status"), lambda a: a.get_status_display()),
    Column(_("Needs review"), lambda a: a.needs_review),
    Column(_("Submitted at"), lambda a: a.submitted_at),
    Column(_("In this stage since"), lambda a: a.status_changed_at),
]

STANDARD_COLUMNS = [
    Column(_("Code"), lambda s: s.code),
    Column(_("Version"), lambda s: s.version),
    Column(_("Title"), lambda s: s.title),
    Column(_("Status"), lambda s: s.get_status_display()),
    Column(_("Effective date"), lambda s: s.effective_date),
]
