"""Person names: what a register of Persian and Latin names accepts, and what it refuses."""

import pytest
from django.core.exceptions import ValidationError

from entezam.core.demo_data import names
from entezam.core.errors import in_both_languages
from entezam.personnel.errors import NAME_LABEL, NAME_MESSAGES
from entezam.personnel.validators import check_person_name, validate_person_name

ACCEPTED = [
    "علی",
    "محمدرضا",
    "کریمی",
    "عبدالله",
    "مهدی‌زاده",  # ZWNJ
    "امیر حسین",
    "علي",  # Arabic yeh
    "John",
    "O'Brien",
    "O’Neil",
    "Jean-Luc",
    "Zoë",
    "سید-مهدی",
    "مُحَمَّد",  # harakat
]
REJECTED = [
    "Ali2",
    "علی۲",
    "۱۲۳",
    '=HYPERLINK("x")',
    '=HYPERLINK("http://evil","x")',
    "@SUM(1)",
    "+98",
    "-علی",
    "علی-",
    "'علی",
    "<script>",
    "علی<b>",
    "علی 😀",
    "😀",
    "Ali;DROP",
    "a_b",
    "Иван",  # Cyrillic is not a Persian or Latin name
]


@pytest.mark.parametrize("value", ACCEPTED)
def test_accepts_names(value):
    result = check_person_name(value)
    assert result.ok, value
    validate_person_name(value)


@pytest.mark.parametrize("value", REJECTED)
def test_rejects_everything_else_with_a_reason(value):
    result = check_person_name(value)
    assert not result.ok
    assert result.code == "name_invalid_chars"
    with pytest.raises(ValidationError) as error:
        validate_person_name(value)
    assert error.value.code == "name_invalid_chars"


@pytest.mark.parametrize("value", ["", "   ", None, "\u200f"])
def test_empty(value):
    assert check_person_name(value).code == "empty"


def test_tidies_spaces_and_direction_marks():
    assert check_person_name("  \u200fامیر   حسین ").value == "امیر حسین"


def test_messages_in_both_languages():
    fa, en = in_both_languages(NAME_MESSAGES["name_invalid_chars"], label=NAME_LABEL)
    assert "حروف" in fa and "letters" in en


def test_every_demo_name_is_valid():
    data = names()
    for name in data["male_first_names"] + data["female_first_names"] + data["last_names"]:
        assert check_person_name(name).ok, name


@pytest.mark.django_db
def test_model_rejects_formula_names(world):
    from tests.personnel.factories import PersonFactory

    person = PersonFactory.build(first_name='=HYPERLINK("x")')
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "first_name" in error.value.message_dict
