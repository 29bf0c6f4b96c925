"""The form renderer: Django's, with the `<select>` of its own widgets written in Python.

Django renders a select through a template that includes one template per option and
another for each option's attributes: about 25 µs an option, so a page with a few
enumeration filters spends milliseconds there. This renderer produces the same markup
(a test compares the two on every kind of select) in a fraction of that; any other
template, or a select whose templates a widget changed, goes through Django's."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: False is left out, True is a bare name.
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def render_select(widget: dict) -> str | None:
    """The markup of select.html for `widget` (a widget's context), or None when an
    option uses another template."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None
            out.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )  # select_option.html ends in a newline
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT and "widget" in context:
            html = render_select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
