"""The form renderer writes `<select>` in Python: the markup must be exactly Django's."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.translation import gettext_lazy

from entezam.core.renderers import FormRenderer

DJANGO = DjangoTemplates()
OURS = FormRenderer()

CHOICES = [("", "—"), ("a", "Alpha"), ("b", 'B & <b>"quoted"</b>'), (3, "three")]
GROUPED = [
    ("", "—"),
    ("Guards", [("guard", "Guard"), ("senior", "Senior guard")]),
    ("Office", [("clerk", gettext_lazy("Clerk")), ("head", "Head & deputy")]),
]
CASES = [
    (forms.Select(choices=CHOICES), "b"),
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=CHOICES), 3),
    (forms.Select(choices=GROUPED), "head"),
    (forms.SelectMultiple(choices=CHOICES), ["a", 3]),
    (forms.Select(choices=CHOICES, attrs={"class": "form-select", "required": True}), "a"),
    (forms.Select(choices=CHOICES, attrs={"disabled": False, "data-x": '"<>'}), ""),
    (forms.NullBooleanSelect(), True),
]


@pytest.mark.parametrize("widget, value", CASES)
@pytest.mark.parametrize("language", ["fa", "en"])
def test_a_select_renders_exactly_as_django_renders_it(widget, value, language):
    with translation.override(language):
        theirs = widget.render("field", value, attrs={"id": "id_field"}, renderer=DJANGO)
        ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=OURS)
    assert ours == theirs


def test_other_widgets_still_render_through_the_templates():
    radio = forms.RadioSelect(choices=CHOICES)
    assert radio.render("r", "a", renderer=OURS) == radio.render("r", "a", renderer=DJANGO)
    text = forms.TextInput()
    assert text.render("t", "x<y", renderer=OURS) == text.render("t", "x<y", renderer=DJANGO)


def test_the_project_renders_forms_with_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
