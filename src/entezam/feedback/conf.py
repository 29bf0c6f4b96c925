"""The app's settings: a Django setting of the same name wins, then the environment.

Every name is `ENTEZAM_<NAME>`, as in `config/settings.py` (see `notifications/conf.py`).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

DEFAULTS: dict[str, str] = {
    # The trained classifier on disk (default: var/feedback-model.pickle).
    "FEEDBACK_MODEL_PATH": "",
    # Public form: submissions per IP address per hour.
    "FEEDBACK_SUBMISSIONS_PER_HOUR": "10",
    # Days after closing (or after submission, whichever is later) a citizen's contact is kept.
    "FEEDBACK_CONTACT_RETENTION_DAYS": "180",
    # Rankings compare only units with at least this many messages in the period.
    "FEEDBACK_MIN_RANKING_COUNT": "20",
    # Days after the resolution within which the citizen may confirm or dispute it.
    "FEEDBACK_DISPUTE_DAYS": "14",
    # Days within which the same subject and near-identical text is a duplicate.
    "FEEDBACK_DUPLICATE_DAYS": "7",
}


def setting(name: str) -> str:
    value = getattr(settings, f"ENTEZAM_{name}", None)
    if value is None:
        value = os.environ.get(f"ENTEZAM_{name}")
    if value is None:
        value = DEFAULTS[name]
    return str(value)


def int_setting(name: str) -> int:
    return int(setting(name))


def model_path() -> Path:
    return Path(setting("FEEDBACK_MODEL_PATH") or Path(settings.VAR_DIR) / "feedback-model.pickle")
