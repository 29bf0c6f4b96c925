"""Persian digits in messages and form values (display), any digits accepted (input);
English pages keep Latin digits."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from entezam.core.templatetags.persian import fa_number


def _page(language, text, user):
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return render_to_string(
            "base.html", {"messages": [Message(constants.INFO, text)]}, request=request
        )


@pytest.mark.django_db
def test_flash_messages_show_persian_digits_in_persian_and_latin_in_english(world):
    text = "241 پرونده بررسی شد: 90 به مصاحبه"
    assert "۲۴۱ پرونده بررسی شد: ۹۰ به مصاحبه" in _page("fa", text, world.hq_admin)
    assert "241 پرونده بررسی شد: 90" in _page("en", text, world.hq_admin)


def test_thousands_use_the_persian_separator():
    with translation.override("fa"):
        assert fa_number(8600) == "۸٬۶۰۰"
    with translation.override("en"):
        assert fa_number(8600) == "8,600"


@pytest.mark.django_db
def test_form_values_show_persian_digits_and_read_back_the_same(client, world):
    client.force_login(world.hq_admin)
    page = client.get(f"/institutions/{world.inst_a.pk}/edit/", HTTP_ACCEPT_LANGUAGE="fa")
    html = page.content.decode()
    assert 'value="۵۰"' in html  # the authorised headcount
    assert 'inputmode="decimal"' in html
    from django import forms

    assert forms.IntegerField().clean("۶۰") == 60
