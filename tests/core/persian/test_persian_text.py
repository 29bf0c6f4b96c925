import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entezam.core.persian import normalize, to_ascii_digits, to_persian_digits
from entezam.core.persian.text import strip_invisible

PERSIAN_LIKE = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.sampled_from("\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2069\ufeff"),
        st.sampled_from(" \t\n\u00a0abcABCßİ0123456789"),
    ),
    max_size=40,
)
ANY_TEXT = st.one_of(PERSIAN_LIKE, st.text(max_size=40))
FORBIDDEN = re.compile(
    "[يكىةۀأإآؤئ\u064b-\u065f\u0670\u0640\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff۰-۹٠-٩]"
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("علي", "علی"),
        ("يى", "یی"),
        ("كتاب", "کتاب"),
        ("فاطمة", "فاطمه"),
        ("خانۀ", "خانه"),
        ("أحمد إمام آرش ٱ", "احمد امام ارش ا"),
        ("مؤمن", "مومن"),
        ("رئیس", "رییس"),
        ("مُحَمَّد", "محمد"),
        ("قرآن", "قران"),
        ("مـــحمد", "محمد"),
        ("علی‌رضا", "علی رضا"),
        ("\u200fعلی\u200e \u202bرضا\u202c\ufeff", "علی رضا"),
        ("۱۲۳٤٥٦", "123456"),
        ("  Ali   REZA\t\nKarimi  ", "ali reza karimi"),
        ("Straße", "strasse"),
        ("\ufef5", "لا"),  # presentation form of lam-alef with madda
        ("\ufedb\ufe98\ufe8e\ufe8f", "کتاب"),  # presentation forms of كتاب
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_examples(text, key):
    assert normalize(text) == key


def test_normalize_makes_spelling_variants_equal():
    assert normalize("علي‌رضا كريمي") == normalize("علی رضا  کریمی")


@given(ANY_TEXT)
def test_normalize_is_idempotent(text):
    key = normalize(text)
    assert normalize(key) == key


@given(ANY_TEXT)
def test_normalize_output_is_clean(text):
    key = normalize(text)
    assert not FORBIDDEN.search(key)
    assert "  " not in key
    assert key == key.strip()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1404, "۱۴۰۴"),
        ("1404/06/31 ab", "۱۴۰۴/۰۶/۳۱ ab"),
        (Decimal("12.50"), "۱۲.۵۰"),
        (None, ""),
        ("۱۲", "۱۲"),
    ],
)
def test_to_persian_digits(value, expected):
    assert to_persian_digits(value) == expected


def test_to_ascii_digits():
    assert to_ascii_digits("۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩ x") == "0123456789 0123456789 x"
    assert to_ascii_digits(None) == ""


@given(st.integers(min_value=0))
def test_digit_conversion_round_trips(number):
    assert to_ascii_digits(to_persian_digits(number)) == str(number)


def test_control_characters_are_dropped_from_search_keys_and_typed_text():
    # NUL (refused by PostgreSQL in text) and the other C0 controls carry no letters.
    assert normalize("\x00Ab\x07") == "ab"
    assert normalize("\x00علي") == normalize("علی")
    assert strip_invisible("\x00رضا\x1b ") == "رضا"
    assert strip_invisible("خط\tاول\nدوم") == "خط\tاول\nدوم"  # tabs and line breaks stay
