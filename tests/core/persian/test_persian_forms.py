import datetime

import pytest
from django import forms
from django.utils import translation

from entezam.core.persian.forms import (
    JalaliDateField,
    MobileField,
    NationalCodeField,
    PostalCodeField,
    ShebaField,
)


class PersonForm(forms.Form):
    birth_date = JalaliDateField()
    national_code = NationalCodeField()
    mobile = MobileField(required=False)


@pytest.mark.parametrize(
    "text", ["1404/06/31", "۱۴۰۴/۰۶/۳۱", "1404-6-31", " 1404/06/31 ", "2025-09-22"]
)
def test_jalali_date_field_cleans_to_gregorian(text):
    assert JalaliDateField().clean(text) == datetime.date(2025, 9, 22)


def test_jalali_date_field_explains_bad_day_in_active_language():
    form = PersonForm(data={"birth_date": "1404/07/31", "national_code": "0013542419"})
    with translation.override("fa"):
        assert not form.is_valid()
        assert form.errors["birth_date"] == ["۱۴۰۴/۰۷/۳۱: مهر ۱۴۰۴ سی روز دارد."]
    with translation.override("en"):
        assert form.errors["birth_date"] == ["1404/07/31: Mehr 1404 has 30 days."]
    assert form.errors.as_data()["birth_date"][0].code == "invalid_day"


def test_jalali_date_field_rejects_impossible_iso_date():
    form = PersonForm(data={"birth_date": "2025-02-30", "national_code": "0013542419"})
    with translation.override("en"):
        assert form.errors["birth_date"] == ["'2025-02-30' is not a valid Gregorian date."]


def test_jalali_date_field_required():
    form = PersonForm(data={"birth_date": "", "national_code": "0013542419"})
    assert form.errors.as_data()["birth_date"][0].code == "required"
    assert JalaliDateField(required=False).clean("") is None


def test_jalali_date_field_shows_initial_in_jalali():
    form = PersonForm(initial={"birth_date": datetime.date(2025, 9, 22)})
    with translation.override("fa"):
        html = str(form["birth_date"])
        assert 'value="۱۴۰۴/۰۶/۳۱"' in html
        assert 'data-jalali-picker="1"' in html
        assert 'dir="ltr"' in html
        assert 'autocomplete="off"' in html
        assert 'placeholder="۱۴۰۴/۰۱/۰۱"' in html
    with translation.override("en"):
        assert 'value="1404/06/31"' in str(form["birth_date"])


def test_jalali_date_field_has_changed_compares_dates():
    field = JalaliDateField()
    assert not field.has_changed(datetime.date(2025, 9, 22), "۱۴۰۴/۰۶/۳۱")
    assert field.has_changed(datetime.date(2025, 9, 22), "1404/06/30")


def test_identifier_fields_clean_to_canonical():
    form = PersonForm(
        data={"birth_date": "1370/01/01", "national_code": "۱۳۵۴۲۴۱۹", "mobile": "+98 912 123 4567"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["national_code"] == "0013542419"
    assert form.cleaned_data["mobile"] == "09121234567"
    assert PostalCodeField().clean("۱۳۴۵۶-۷۸۹۱۲") == "1345678912"
    assert ShebaField().clean("ir82 0540 1026 8002 0817 9090 02") == "IR820540102680020817909002"


def test_identifier_field_error_message_and_code():
    form = PersonForm(data={"birth_date": "1370/01/01", "national_code": "0013542418"})
    with translation.override("fa"):
        assert form.errors["national_code"] == ["کد ملی معتبر نیست (رقم کنترل آن نادرست است)."]
    assert form.errors.as_data()["national_code"][0].code == "bad_checksum"
    assert "mobile" not in form.errors


def test_identifier_field_widget_is_left_to_right():
    html = str(PersonForm()["national_code"])
    assert 'dir="ltr"' in html
    assert 'inputmode="numeric"' in html
