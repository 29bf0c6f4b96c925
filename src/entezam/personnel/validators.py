"""Person names: letters (Persian or Latin), spaces, ZWNJ, hyphen and apostrophe, nothing else.

`check_person_name` takes what a form or a spreadsheet cell gives and returns a `Validated`
with the tidied name (invisible direction marks removed, spaces collapsed) or a reason code
(`empty`, `name_invalid_chars`); it never raises, so the roster import can report every
rejected cell. `validate_person_name` wraps it as a Django validator for model fields.

Rejecting every character that is not part of a name also keeps spreadsheet formulas
(`=HYPERLINK(...)`, `@SUM(1)`, `+1`, `-A1`) and markup out of the register: a name must begin
and end with a letter.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from entezam.core.errors import validation_error
from entezam.core.persian import Validated
from entezam.core.persian.text import strip_invisible

from .errors import NAME_LABEL, NAME_MESSAGES

ZWNJ = "\u200c"
# Typewriter and typographic apostrophes, and the hyphen and its Unicode twin.
APOSTROPHES = "'\u2019"
HYPHENS = "-\u2010"
_JOINERS = frozenset(" " + ZWNJ + APOSTROPHES + HYPHENS)
_SPACES = re.compile(r"[ \t\u00a0]+")
# Arabic harakat, superscript alef and the tatweel occur in carefully written Persian names.
_ARABIC_MARKS = frozenset([chr(code) for code in range(0x064B, 0x0660)] + ["\u0670", "\u0640"])


def _is_name_letter(char: str) -> bool:
    if not unicodedata.category(char).startswith("L"):
        return False
    name = unicodedata.name(char, "")
    return name.startswith(("ARABIC", "LATIN"))


def _is_allowed(char: str) -> bool:
    return _is_name_letter(char) or char in _JOINERS or char in _ARABIC_MARKS


def check_person_name(value: Any) -> Validated:
    """Check one first, last or father's name; `value` of the result is the tidied name."""
    if value is None or isinstance(value, bool):
        return Validated(ok=False, code="empty")
    text = _SPACES.sub(" ", strip_invisible(str(value))).strip()
    if not text:
        return Validated(ok=False, code="empty")
    if not all(_is_allowed(char) for char in text):
        return Validated(ok=False, code="name_invalid_chars")
    if not (_is_name_letter(text[0]) and (_is_name_letter(text[-1]) or text[-1] in _ARABIC_MARKS)):
        return Validated(ok=False, code="name_invalid_chars")
    return Validated(ok=True, value=text)


def validate_person_name(value: Any) -> None:
    """Django validator: a first, last or father's name (see the module docstring)."""
    result = check_person_name(value)
    if not result.ok:
        raise validation_error(result.reason, NAME_MESSAGES, label=NAME_LABEL)
