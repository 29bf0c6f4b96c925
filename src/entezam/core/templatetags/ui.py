"""Bootstrap form helpers: `{% load ui %}`, then `{% field form.name %}` or `|add_class`."""

from django import forms, template

from entezam.core.persian.text import active_language, localize_digits

register = template.Library()

CHECK_WIDGETS = (forms.CheckboxInput,)
CHOICE_LIST_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)
SELECT_WIDGETS = (forms.Select, forms.SelectMultiple)


def widget_class(bound_field) -> str:
    """The Bootstrap class a field's widget needs (RadioSelect before Select: it subclasses it)."""
    widget = bound_field.field.widget
    if isinstance(widget, CHECK_WIDGETS + CHOICE_LIST_WIDGETS):
        return "form-check-input"
    if isinstance(widget, SELECT_WIDGETS):
        return "form-select"
    if isinstance(widget, forms.HiddenInput):
        return ""
    return "form-control"


@register.filter
def add_class(bound_field, css_class: str):
    """Render a bound field with extra CSS classes, keeping the widget's own classes and attrs."""
    if not hasattr(bound_field, "as_widget"):
        return bound_field
    existing = bound_field.field.widget.attrs.get("class", "")
    classes = " ".join(dict.fromkeys(f"{existing} {css_class}".split()))
    return bound_field.as_widget(attrs={"class": classes})


@register.filter
def bootstrap_widget(bound_field):
    """Render a bound field with its widget's Bootstrap class, plus `is-invalid` on errors;
    in Persian, typed values (text and numbers) show Persian digits."""
    classes = widget_class(bound_field)
    if bound_field.errors:
        classes += " is-invalid"
    localized = _with_persian_digits(bound_field, classes)
    return localized if localized is not None else add_class(bound_field, classes)


def _digit_field(field) -> bool:
    """Fields whose value reads back the same whatever its digits: numbers (int() reads
    Persian digits), Jalali dates and identifiers (they clean through `to_ascii_digits`).
    Free text is left as typed, so a re-save never changes it."""
    from entezam.core.persian.forms import JalaliDateField, _IdentifierField

    return isinstance(field, forms.IntegerField | JalaliDateField | _IdentifierField)


def _with_persian_digits(bound_field, classes: str):
    if not hasattr(bound_field, "as_widget") or active_language() != "fa":
        return None
    widget = bound_field.field.widget
    if not _digit_field(bound_field.field) or not isinstance(
        widget, forms.TextInput | forms.NumberInput
    ):
        return None
    shown = widget.format_value(bound_field.value())
    if shown in (None, "") or not any(ch.isdigit() for ch in str(shown)):
        return None
    if isinstance(widget, forms.NumberInput):
        # A number input refuses Persian digits: a text input that asks for a number pad.
        widget = forms.TextInput(attrs={**widget.attrs, "inputmode": "decimal"})
    existing = widget.attrs.get("class", "")
    attrs = bound_field.build_widget_attrs(
        {"class": " ".join(dict.fromkeys(f"{existing} {classes}".split()))}, widget
    )
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    return widget.render(
        name=bound_field.html_name,
        value=localize_digits(str(shown), "fa"),
        attrs=attrs,
        renderer=bound_field.form.renderer,
    )


@register.filter
def widget_kind(bound_field) -> str:
    """`check`, `choices`, `hidden` or `input`: which layout includes/form_field.html uses."""
    widget = bound_field.field.widget
    if isinstance(widget, CHECK_WIDGETS):
        return "check"
    if isinstance(widget, CHOICE_LIST_WIDGETS):
        return "choices"
    if widget.is_hidden:
        return "hidden"
    return "input"


@register.inclusion_tag("includes/form_field.html")
def field(bound_field, label=None, help_text=None):
    """One form field with label, widget, help text and errors: `{% field form.name %}`."""
    return {
        "field": bound_field,
        "label": bound_field.label if label is None else label,
        "help_text": bound_field.help_text if help_text is None else help_text,
    }


@register.simple_tag(takes_context=True)
def render_panel(context, panel):
    """Render a registered panel (`core.registry.Panel`) with its own context added."""
    template = context.template.engine.get_template(panel["template"])
    with context.push(**panel["context"]):
        return template.render(context)
