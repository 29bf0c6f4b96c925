"""Persian text: the search key (`normalize`) and digit conversion.

`normalize` folds the spellings a Persian speaker reads as the same word (Arabic and
Persian yeh and kaf, hamza carriers, diacritics, ZWNJ, digits, invisible controls) into
one key. Store it next to the display value and compare or search on it only.
"""

import re
import unicodedata
from decimal import Decimal
from typing import Literal

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ASCII_DIGITS = "0123456789"

# Invisible format characters that carry no letters: directional marks, embeddings,
# overrides and isolates, zero-width space and joiner, the byte-order mark; and the C0
# control characters but tab and line breaks (NUL, which PostgreSQL refuses in text, among
# them: a search for "\x00ab" must be a search for "ab", never a database error).
INVISIBLE_CONTROLS = (
    "\u061c\u200b\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
    + "".join(chr(code) for code in range(0x20) if chr(code) not in "\t\n\r")
)

DIACRITICS = "".join(chr(code) for code in range(0x064B, 0x0660)) + "\u0670"
TATWEEL = "\u0640"
ZWNJ = "\u200c"

_LETTER_FOLDS = {
    "ی": "يىئۍې",
    "ک": "كڪ",
    "ه": "ةۀہۂە",
    "ا": "أإآٱ",
    "و": "ؤ",
}

_NORMALIZE_TABLE = str.maketrans(
    {
        **{
            variant: canonical
            for canonical, variants in _LETTER_FOLDS.items()
            for variant in variants
        },
        **dict(zip(PERSIAN_DIGITS, ASCII_DIGITS, strict=True)),
        **dict(zip(ARABIC_INDIC_DIGITS, ASCII_DIGITS, strict=True)),
        **dict.fromkeys(DIACRITICS + TATWEEL + INVISIBLE_CONTROLS),
        ZWNJ: " ",
    }
)
_TO_ASCII_DIGITS = str.maketrans(
    dict(zip(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, ASCII_DIGITS * 2, strict=True))
)
_TO_PERSIAN_DIGITS = str.maketrans(ASCII_DIGITS, PERSIAN_DIGITS)
_STRIP_INVISIBLE = str.maketrans(dict.fromkeys(INVISIBLE_CONTROLS))
_WHITESPACE = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    """Return the search key of `text`: folded letters, ASCII digits, single spaces."""
    if not text:
        return ""
    if text.isascii():
        return _WHITESPACE.sub(" ", text.lower().translate(_STRIP_INVISIBLE)).strip()
    # NFKC first: it turns Arabic presentation forms into the letters folded below.
    text = unicodedata.normalize("NFKC", text).casefold().translate(_NORMALIZE_TABLE)
    # Removing marks can unblock a composition (and casefold can leave a string that is
    # not NFKC), so normalise once more to keep `normalize` idempotent.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE.sub(" ", text).strip()


def to_ascii_digits(text: str | None) -> str:
    """Replace Persian and Arabic-Indic digits with ASCII digits; keep everything else."""
    if not text:
        return ""
    return str(text).translate(_TO_ASCII_DIGITS)


def to_persian_digits(value: str | int | Decimal | None) -> str:
    """Replace ASCII digits with Persian digits; keep everything else."""
    if value is None:
        return ""
    return str(value).translate(_TO_PERSIAN_DIGITS)


def strip_invisible(text: str) -> str:
    """Remove directional marks and other invisible controls, then surrounding spaces."""
    return text.translate(_STRIP_INVISIBLE).strip()


def active_language() -> Literal["fa", "en"]:
    """`fa` when Persian is active (the default), `en` otherwise: picks digits and month names."""
    from django.core.exceptions import ImproperlyConfigured
    from django.utils.translation import get_language

    try:
        language = get_language() or "fa"
    except ImproperlyConfigured:
        language = "fa"
    return "fa" if language.split("-")[0] == "fa" else "en"


def localize_digits(text: str, digits: Literal["fa", "en"]) -> str:
    return to_persian_digits(text) if digits == "fa" else to_ascii_digits(text)


# Asterisks: dots read as Persian zeros (۰) in Vazirmatn, so "۱۷۸۲•••۱۲۹" looked like a code.
CODE_MASK = "***"


def mask_national_code(code: str) -> str:
    """`0013542419` → `0013***419`: enough to tell people apart, not enough to reuse."""
    if not code:
        return ""
    return f"{code[:4]}{CODE_MASK}{code[-3:]}" if len(code) == 10 else CODE_MASK
