"""Writes on selection, by sub-domain: standards, applications, screening, decisions and
checks. Each public service is importable from here (`vetting.services.application_open`)."""

from .applications import (
    HOLDING_STATUSES,
    applicant_register,
    application_advance,
    application_open,
    application_withdraw,
    applications_open_bulk,
    applications_open_from_sql,
)
from .checks import (
    IngestReport,
    background_check_record,
    background_checks_import,
    ingest_outcomes,
    medical_certificate_record,
)
from .decisions import application_decide
from .screening import SCREEN_CHUNK, ScreeningReport, applications_screen, applications_screen_start
from .standards import (
    active_standard_for,
    standard_activate,
    standard_create_draft,
    standard_update_draft,
)

__all__ = [
    "HOLDING_STATUSES",
    "SCREEN_CHUNK",
    "IngestReport",
    "ScreeningReport",
    "active_standard_for",
    "applicant_register",
    "application_advance",
    "application_decide",
    "application_open",
    "application_withdraw",
    "applications_open_bulk",
    "applications_open_from_sql",
    "applications_screen",
    "applications_screen_start",
    "background_check_record",
    "background_checks_import",
    "ingest_outcomes",
    "medical_certificate_record",
    "standard_activate",
    "standard_create_draft",
    "standard_update_draft",
]
