"""The columns of a roster: fields, labels, header aliases (Persian and English), choice values.

The aliases and choice words are data: what people write in their spreadsheets, in either
language. The labels that messages name the columns by come from the catalogue.
"""

from __future__ import annotations

import re
from typing import Any

from entezam.core.errors import shown
from entezam.core.persian import normalize
from entezam.core.persian.text import active_language
from entezam.personnel.choices import Education, Gender, MilitaryService, Position
from entezam.personnel.models import Employment, Person

# --- columns

FIELDS = (
    "national_code",
    "first_name",
    "last_name",
    "father_name",
    "birth_date",
    "gender",
    "mobile",
    "education",
    "military_service",
    "position",
)
REQUIRED_COLUMNS = (
    "national_code",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "education",
    "position",
)
# What messages call each column: the name of the field it fills.
COLUMN_LABELS = {
    name: (Employment if name == "position" else Person)._meta.get_field(name).verbose_name
    for name in FIELDS
}
# The first alias of each column is the Persian header a template is written with: the
# Persian of its label.
HEADER_ALIASES = {
    "national_code": [
        "کد ملی",
        "کدملی",
        "شماره ملی",
        "شناسه ملی",
        "national code",
        "national_code",
        "national id",
        "nationalcode",
    ],
    "first_name": ["نام", "first name", "first_name", "firstname", "given name"],
    "last_name": [
        "نام خانوادگی",
        "نام‌خانوادگی",
        "last name",
        "last_name",
        "lastname",
        "surname",
        "family name",
    ],
    "father_name": ["نام پدر", "father name", "father_name", "father's name", "fathers name"],
    "birth_date": [
        "تاریخ تولد",
        "تاریخ‌تولد",
        "birth date",
        "birth_date",
        "birthdate",
        "date of birth",
        "dob",
    ],
    "gender": ["جنسیت", "جنس", "gender", "sex"],
    "mobile": [
        "تلفن همراه",
        "موبایل",
        "شماره همراه",
        "شماره موبایل",
        "همراه",
        "mobile",
        "mobile number",
        "cell phone",
        "cellphone",
    ],
    "education": ["تحصیلات", "مدرک تحصیلی", "مدرک", "میزان تحصیلات", "education", "degree"],
    "military_service": [
        "وضعیت نظام وظیفه",
        "نظام وظیفه",
        "وضعیت خدمت",
        "وضعیت سربازی",
        "خدمت سربازی",
        "military service",
        "military_service",
    ],
    "position": ["سمت", "عنوان شغلی", "شغل", "position", "job title", "role"],
}

_KEY_DROP = re.compile(r"[\s_\-'’.:*()]+")


def fold_key(value: Any) -> str:
    """Header or choice text folded so spelling, spacing and case do not matter."""
    return _KEY_DROP.sub("", normalize(str(value)))


_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


def file_headers(header_cells: dict[str, str]) -> dict[str, str]:
    """Each column's name as the file wrote it (`header_cells`: column -> the header cell);
    a column the file lacks by the template's name in the file's language (Persian when
    any of its headers is written in Persian letters)."""
    persian = any(_ARABIC_LETTER.search(text) for text in header_cells.values())
    named: dict[str, str] = {}
    for name, aliases in HEADER_ALIASES.items():
        english = next((alias for alias in aliases if alias.isascii()), name)
        named[name] = header_cells.get(name) or (aliases[0] if persian else english)
    return named


HEADER_KEYS = {
    fold_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases
}

CHOICE_ALIASES = {
    "gender": {
        Gender.MALE: ["مرد", "مذکر", "آقا", "male", "m", "man"],
        Gender.FEMALE: ["زن", "مونث", "مؤنث", "خانم", "female", "f", "woman"],
    },
    "education": {
        Education.BELOW_DIPLOMA: ["زیر دیپلم", "زیردیپلم", "سیکل", "below diploma"],
        Education.DIPLOMA: ["دیپلم", "diploma", "high school"],
        Education.ASSOCIATE: ["کاردانی", "فوق دیپلم", "associate", "associate degree"],
        Education.BACHELOR: ["کارشناسی", "لیسانس", "bachelor", "bachelor's degree", "bsc", "ba"],
        Education.MASTER: [
            "کارشناسی ارشد",
            "فوق لیسانس",
            "ارشد",
            "master",
            "master's degree",
            "msc",
            "ma",
        ],
        Education.DOCTORATE: ["دکتری", "دکترا", "doctorate", "phd"],
    },
    "military_service": {
        MilitaryService.COMPLETED: [
            "پایان خدمت",
            "کارت پایان خدمت",
            "دارای کارت پایان خدمت",
            "completed",
        ],
        MilitaryService.EXEMPT: ["معاف", "معافیت", "معافیت دائم", "کارت معافیت", "exempt"],
        MilitaryService.SERVING: ["در حال خدمت", "serving"],
        MilitaryService.LIABLE: ["مشمول", "liable"],
    },
    "position": {
        Position.GUARD: ["نگهبان", "پلیس یار", "پلیس‌یار", "محافظ", "guard"],
        Position.SUPERVISOR: ["سرپرست", "سرپرست شیفت", "supervisor", "shift supervisor"],
        Position.MANAGER: ["مدیر", "مدیر عامل", "مدیرعامل", "manager"],
    },
}
CHOICE_KEYS = {
    column: {fold_key(alias): str(value) for value, aliases in mapping.items() for alias in aliases}
    for column, mapping in CHOICE_ALIASES.items()
}
# Values a template offers, one per choice, in Persian.
CHOICE_EXAMPLES = {
    column: [aliases[0] for aliases in mapping.values()]
    for column, mapping in CHOICE_ALIASES.items()
}


class AcceptedValues:
    """The values a choice column accepts, as a message lists them: the Persian words in
    Persian, the codes in English."""

    __slots__ = ("column",)

    def __init__(self, column: str) -> None:
        self.column = column

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AcceptedValues) and other.column == self.column

    def __hash__(self) -> int:
        return hash(self.column)

    def __str__(self) -> str:
        if active_language() == "fa":
            return shown(CHOICE_EXAMPLES[self.column])
        return shown([str(value) for value in CHOICE_ALIASES[self.column]])


ACCEPTED_VALUES = {column: AcceptedValues(column) for column in CHOICE_ALIASES}

# The example row of the template, under the Persian headers.
TEMPLATE_EXAMPLE = {
    "national_code": "0013542419",
    "first_name": "علی",
    "last_name": "رضایی",
    "father_name": "حسن",
    "birth_date": "1370/05/12",
    "gender": "مرد",
    "mobile": "09121234567",
    "education": "دیپلم",
    "military_service": "پایان خدمت",
    "position": "نگهبان",
}
