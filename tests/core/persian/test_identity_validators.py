import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from entezam.core.errors import IDENTIFIER_LABELS, IDENTIFIER_MESSAGES, in_both_languages
from entezam.core.persian import (
    Validated,
    check_mobile,
    check_national_code,
    check_postal_code,
    check_sheba,
    to_persian_digits,
    validate_mobile,
    validate_national_code,
    validate_postal_code,
    validate_sheba,
)
from entezam.core.persian.validators import iban_remainder, national_code_check_digit

VALID_CODE = "0013542419"
VALID_SHEBA = "IR820540102680020817909002"

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def with_check_digit(first_nine: str) -> str:
    return first_nine + str(national_code_check_digit(first_nine))


def sheba_from(account: str) -> str:
    """IR + check digits + 22 digits, with the check digits computed per ISO 13616."""
    check = 98 - iban_remainder(f"IR00{account}")
    return f"IR{check:02d}{account}"


# --- national code -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        VALID_CODE,
        "۰۰۱۳۵۴۲۴۱۹",
        "٠٠١٣٥٤٢٤١٩",
        "  0013542419\t",
        "\u200f0013542419\u200e",
        "13542419",
        "013542419",
        13542419,
        13542419.0,
        Decimal("13542419"),
    ],
)
def test_national_code_accepted_forms(value):
    assert check_national_code(value) == Validated(ok=True, value=VALID_CODE)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("001354241a", "not_digits"),
        ("001-354-2419", "not_digits"),
        ("0013 542419", "not_digits"),
        (13542419.5, "not_digits"),
        ("1234567", "wrong_length"),
        ("00135424190", "wrong_length"),
        ("1111111111", "repeated_digits"),
        ("0000000000", "repeated_digits"),
        ("0013542418", "bad_checksum"),
    ],
)
def test_national_code_rejected_with_reason(value, code):
    result = check_national_code(value)
    assert result == Validated(ok=False, value=None, code=code)
    assert not result


def test_validated_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        check_national_code(VALID_CODE).ok = False


@given(nine_digits)
def test_computed_check_digit_is_valid_and_any_other_is_not(first_nine):
    code = with_check_digit(first_nine)
    assume(len(set(code)) > 1)
    assert check_national_code(code) == Validated(ok=True, value=code)
    for wrong in set("0123456789") - {code[9]}:
        assert check_national_code(first_nine + wrong).code == "bad_checksum"


@given(nine_digits)
def test_leading_zeros_may_be_dropped(first_nine):
    code = with_check_digit(first_nine)
    assume(len(set(code)) > 1)
    stripped = code.lstrip("0")
    if len(stripped) >= 8:
        assert check_national_code(stripped).value == code
        assert check_national_code(int(stripped)).value == code


@given(nine_digits)
def test_persian_digits_give_same_result(first_nine):
    code = with_check_digit(first_nine)
    assert check_national_code(to_persian_digits(code)) == check_national_code(code)


# --- mobile ----------------------------------------------------------------------------


@given(
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.sampled_from(["0", "+98", "0098", "98", "", "+98 ", "0098-"]),
    st.booleans(),
)
def test_mobile_canonical_across_prefixes(rest, prefix, persian):
    subscriber = "9" + rest
    text = prefix + subscriber[:3] + " " + subscriber[3:6] + "-" + subscriber[6:]
    if persian:
        text = to_persian_digits(text)
    assert check_mobile(text) == Validated(ok=True, value="0" + subscriber)


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("09121234567", "09121234567"),
        ("+989121234567", "09121234567"),
        ("۰۹۱۲ ۱۲۳ ۴۵۶۷", "09121234567"),
        ("(0912) 123-4567", "09121234567"),
        (9121234567, "09121234567"),
    ],
)
def test_mobile_examples(value, canonical):
    assert check_mobile(value).value == canonical


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("0912abc4567", "not_digits"),
        ("+98912+1234567", "not_digits"),
        ("0912123456", "wrong_length"),
        ("091212345678", "wrong_length"),
        ("98912123456", "wrong_length"),
        ("+449121234567", "not_mobile"),
        ("02112345678", "not_mobile"),
        ("+982112345678", "not_mobile"),
    ],
)
def test_mobile_rejected_with_reason(value, code):
    assert check_mobile(value).code == code


# --- postal code -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["1345678912", "13456-78912", "۱۳۴۵۶-۷۸۹۱۲", " 1345678912 ", 1345678912]
)
def test_postal_code_accepted_forms(value):
    assert check_postal_code(value) == Validated(ok=True, value="1345678912")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("1345-678912", "not_digits"),
        ("13456a7891", "not_digits"),
        ("134567891", "wrong_length"),
        ("0345678912", "invalid"),
    ],
)
def test_postal_code_rejected_with_reason(value, code):
    assert check_postal_code(value).code == code


# --- sheba -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        VALID_SHEBA,
        "ir820540102680020817909002",
        "IR82 0540 1026 8002 0817 9090 02",
        "IR" + to_persian_digits(VALID_SHEBA[2:]),
    ],
)
def test_sheba_accepted_forms(value):
    assert check_sheba(value) == Validated(ok=True, value=VALID_SHEBA)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("820540102680020817909002", "wrong_format"),
        ("IR8205401026800208179090", "wrong_format"),
        ("DE89370400440532013000", "wrong_format"),
        ("IR820540102680020817909003", "bad_checksum"),
    ],
)
def test_sheba_rejected_with_reason(value, code):
    assert check_sheba(value).code == code


@given(st.text(alphabet="0123456789", min_size=22, max_size=22), st.data())
def test_constructed_sheba_passes_and_one_digit_change_fails(account, data):
    sheba = sheba_from(account)
    assert check_sheba(sheba) == Validated(ok=True, value=sheba)
    position = data.draw(st.integers(min_value=2, max_value=25))
    digit = data.draw(st.sampled_from(sorted(set("0123456789") - {sheba[position]})))
    changed = sheba[:position] + digit + sheba[position + 1 :]
    assert check_sheba(changed).code == "bad_checksum"


# --- messages and Django validators ----------------------------------------------------

CODES = {
    "national_code": ["empty", "not_digits", "wrong_length", "repeated_digits", "bad_checksum"],
    "mobile": ["empty", "not_digits", "wrong_length", "not_mobile"],
    "postal_code": ["empty", "not_digits", "wrong_length", "invalid"],
    "sheba": ["empty", "wrong_format", "bad_checksum"],
}


@pytest.mark.parametrize(
    ("kind", "code"), [(kind, code) for kind, codes in CODES.items() for code in codes]
)
def test_every_reason_has_persian_and_english_messages(kind, code):
    assert code in IDENTIFIER_MESSAGES[kind]
    message_fa, message_en = in_both_languages(
        IDENTIFIER_MESSAGES[kind][code], label=IDENTIFIER_LABELS[kind]
    )
    assert any("\u0600" <= char <= "\u06ff" for char in message_fa)
    assert message_en.isascii()


def test_django_validator_accepts_canonical_value():
    validate_national_code(VALID_CODE)
    validate_mobile("09121234567")
    validate_postal_code("1345678912")
    validate_sheba(VALID_SHEBA)


def test_django_validator_message_follows_language():
    with translation.override("fa"), pytest.raises(ValidationError) as raised:
        validate_national_code("0013542418")
    assert raised.value.code == "bad_checksum"
    assert raised.value.messages == ["کد ملی معتبر نیست (رقم کنترل آن نادرست است)."]
    with translation.override("en"):
        assert raised.value.messages == [
            "The national code is not valid (its check digit is wrong)."
        ]


def test_django_validator_refuses_non_canonical_value():
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        validate_national_code("13542419")
    assert raised.value.code == "not_canonical"
    assert "0013542419" in raised.value.messages[0]
