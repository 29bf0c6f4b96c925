import datetime

import jdatetime
import pytest
from hypothesis import given
from hypothesis import strategies as st

from entezam.core.persian import (
    JalaliDateError,
    add_months,
    add_working_days,
    format_jalali,
    is_working_day,
    parse_jalali,
)
from entezam.core.persian.jalali import days_in_month

SHAHRIVAR_31_1404 = datetime.date(2025, 9, 22)


def jalali(text: str) -> datetime.date:
    return parse_jalali(text)


def jalali_dates(first_year=1300, last_year=1500):
    return st.dates(
        min_value=jdatetime.date(first_year, 1, 1).togregorian(),
        max_value=jdatetime.date(last_year, 12, 29).togregorian(),
    )


@pytest.mark.parametrize(
    "text",
    [
        "1404/06/31",
        "۱۴۰۴/۰۶/۳۱",
        "١٤٠٤/٠٦/٣١",
        "1404-6-31",
        "  1404/6/31 ",
        "\u200e1404/06/31\u200f",
    ],
)
def test_parse_accepted_spellings(text):
    assert parse_jalali(text) == SHAHRIVAR_31_1404


def test_leap_esfand_30_is_valid():
    assert parse_jalali("1403/12/30") == datetime.date(2025, 3, 20)


@pytest.mark.parametrize(
    ("text", "code", "message_fa", "message_en"),
    [
        (
            "1404/07/31",
            "invalid_day",
            "۱۴۰۴/۰۷/۳۱: مهر ۱۴۰۴ سی روز دارد.",
            "1404/07/31: Mehr 1404 has 30 days.",
        ),
        (
            "1404/12/30",
            "invalid_day",
            "۱۴۰۴/۱۲/۳۰: اسفند ۱۴۰۴ بیست و نه روز دارد (سال ۱۴۰۴ کبیسه نیست).",
            "1404/12/30: Esfand 1404 has 29 days (1404 is not a leap year).",
        ),
        (
            "1404/13/01",
            "invalid_month",
            "۱۴۰۴/۱۳/۰۱: ماه باید بین ۱ و ۱۲ باشد.",
            "1404/13/01: the month must be between 1 and 12.",
        ),
        ("1404/00/10", "invalid_month", None, None),
        ("1404/01/00", "invalid_day", None, None),
        ("0000/01/01", "invalid_year", None, None),
        ("9378/01/01", "invalid_year", None, None),
        ("1404/06", "invalid_format", None, None),
        ("1404/06-31", "invalid_format", None, None),
        ("31/06/1404", "invalid_format", None, None),
        ("سلام", "invalid_format", None, None),
        ("   ", "empty", None, None),
    ],
)
def test_parse_rejects_with_clear_reason(text, code, message_fa, message_en):
    with pytest.raises(JalaliDateError) as raised:
        parse_jalali(text)
    error = raised.value
    assert isinstance(error, ValueError)
    assert error.code == code
    assert error.message_fa and error.message_en
    if message_fa:
        assert error.message_fa == message_fa
        assert error.message_en == message_en


@pytest.mark.parametrize(
    ("fmt", "digits", "expected"),
    [
        ("short", "fa", "۱۴۰۴/۰۶/۳۱"),
        ("short", "en", "1404/06/31"),
        ("long", "fa", "۳۱ شهریور ۱۴۰۴"),
        ("long", "en", "31 Shahrivar 1404"),
        ("datetime", "fa", "۱۴۰۴/۰۶/۳۱"),
    ],
)
def test_format_date(fmt, digits, expected):
    assert format_jalali(SHAHRIVAR_31_1404, fmt, digits) == expected


def test_format_aware_datetime_in_tehran_time():
    # 20:35 UTC is 00:05 the next day in Tehran (UTC+03:30).
    moment = datetime.datetime(2025, 9, 21, 20, 35, tzinfo=datetime.UTC)
    assert format_jalali(moment, "datetime") == "۱۴۰۴/۰۶/۳۱ ۰۰:۰۵"
    assert format_jalali(moment, "datetime", digits="en") == "1404/06/31 00:05"
    assert format_jalali(moment, "short") == "۱۴۰۴/۰۶/۳۱"


def test_format_naive_datetime_as_given():
    assert format_jalali(datetime.datetime(2025, 9, 22, 14, 5), "datetime") == "۱۴۰۴/۰۶/۳۱ ۱۴:۰۵"


def test_format_none():
    assert format_jalali(None) == ""


def test_month_names():
    names = [format_jalali(jalali(f"1404/{month}/1"), "long") for month in range(1, 13)]
    assert [name.split()[1] for name in names] == [
        "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
        "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
    ]  # fmt: skip
    assert format_jalali(jalali("1404/10/5"), "long", "en") == "5 Dey 1404"


@given(jalali_dates())
def test_parse_format_round_trip(day):
    assert parse_jalali(format_jalali(day, "short", "fa")) == day
    assert parse_jalali(format_jalali(day, "short", "en")) == day


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("1404/06/31", 2, "1404/08/30"),
        ("1403/12/30", 12, "1404/12/29"),
        ("1403/12/30", 60, "1408/12/30"),  # 1408 is the next leap year
        ("1404/01/31", -1, "1403/12/30"),
        ("1405/01/31", -1, "1404/12/29"),
        ("1404/01/15", -13, "1402/12/15"),
        ("1404/06/31", 0, "1404/06/31"),
        ("1404/11/30", 2, "1405/01/30"),
    ],
)
def test_add_months(start, months, expected):
    assert format_jalali(add_months(jalali(start), months), digits="en") == expected


@given(jalali_dates(1300, 1480), st.integers(min_value=-120, max_value=120))
def test_add_months_clamps_to_month_end(day, months):
    before = jdatetime.date.fromgregorian(date=day)
    after = jdatetime.date.fromgregorian(date=add_months(day, months))
    assert after.month == (before.month - 1 + months) % 12 + 1
    assert after.year * 12 + after.month == before.year * 12 + before.month + months
    assert after.day <= before.day
    assert after.day == min(before.day, days_in_month(after.year, after.month))


def test_thursday_plus_one_working_day_skips_friday():
    thursday = datetime.date(2025, 10, 16)
    assert thursday.weekday() == 3
    assert add_working_days(thursday, 1) == datetime.date(2025, 10, 18)


def test_nowruz_holidays_are_skipped():
    # 1403/12/28 (Tuesday); 29 and 30 Esfand and 1–4 Farvardin 1404 are holidays,
    # 1404/01/05 is a Tuesday and a working day.
    start = jalali("1403/12/28")
    assert not is_working_day(jalali("1404/01/01"))
    assert add_working_days(start, 1) == jalali("1404/01/05")


def test_add_zero_working_days_returns_same_date():
    friday = datetime.date(2025, 10, 17)
    assert add_working_days(friday, 0) == friday


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(datetime.date(2025, 10, 16), -1)


def test_is_working_day():
    assert is_working_day(datetime.date(2025, 10, 18))  # Saturday
    assert not is_working_day(datetime.date(2025, 10, 17))  # Friday


@given(jalali_dates(1400, 1410), st.integers(min_value=0, max_value=40))
def test_working_days_land_on_working_days(day, days):
    result = add_working_days(day, days)
    assert result >= day
    if days:
        assert is_working_day(result)
        skipped = [day + datetime.timedelta(n) for n in range(1, (result - day).days + 1)]
        assert sum(map(is_working_day, skipped)) == days
