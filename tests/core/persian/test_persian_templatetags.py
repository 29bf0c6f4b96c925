import datetime
from decimal import Decimal

import pytest
from django.template import Context, Engine
from django.utils import translation

ENGINE = Engine(builtins=["entezam.core.templatetags.persian"])
DAY = datetime.date(2025, 9, 22)
MOMENT = datetime.datetime(2025, 9, 22, 10, 35, tzinfo=datetime.UTC)  # 14:05 in Tehran


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return ENGINE.from_string(source).render(Context(context))


@pytest.mark.parametrize(
    ("source", "value", "fa", "en"),
    [
        ("{{ v|jalali }}", DAY, "۱۴۰۴/۰۶/۳۱", "1404/06/31"),
        ("{{ v|jalali_long }}", DAY, "۳۱ شهریور ۱۴۰۴", "31 Shahrivar 1404"),
        ("{{ v|jalali_datetime }}", MOMENT, "۱۴۰۴/۰۶/۳۱ ۱۴:۰۵", "1404/06/31 14:05"),
        ("{{ v|jalali }}", MOMENT, "۱۴۰۴/۰۶/۳۱", "1404/06/31"),
        ("{{ v|jalali }}", None, "—", "—"),
        ("{{ v|jalali_long }}", None, "—", "—"),
        ("{{ v|fa_digits }}", "کد 0013542419", "کد ۰۰۱۳۵۴۲۴۱۹", "کد 0013542419"),
        ("{{ v|fa_digits }}", 42, "۴۲", "42"),
        ("{{ v|fa_digits }}", None, "—", "—"),
        ("{{ v|fa_number }}", 1234567, "۱٬۲۳۴٬۵۶۷", "1,234,567"),
        ("{{ v|fa_number }}", Decimal("-12345.50"), "-۱۲٬۳۴۵٫۵۰", "-12,345.50"),
        ("{{ v|fa_number }}", 999, "۹۹۹", "999"),
        ("{{ v|fa_number }}", "۱۲۰۰۰", "۱۲٬۰۰۰", "12,000"),
        ("{{ v|fa_number }}", 2.5, "۲٫۵", "2.5"),
        ("{{ v|fa_number }}", None, "—", "—"),
        ("{{ v|fa_number }}", "n/a", "n/a", "n/a"),
    ],
)
def test_filters_follow_active_language(source, value, fa, en):
    assert render(source, "fa", v=value) == fa
    assert render(source, "en", v=value) == en


def test_filters_keep_escaping():
    assert render("{{ v|fa_digits }}", "fa", v="<b>1</b>") == "&lt;b&gt;۱&lt;/b&gt;"


def test_library_is_a_builtin_of_the_project_engine():
    from django.template import engines

    template = engines["django"].from_string("{{ v|jalali }}")
    with translation.override("fa"):
        assert template.render({"v": DAY}) == "۱۴۰۴/۰۶/۳۱"
