"""Bootstrap form helpers: `{% load ui %}`, then `{% field form.name %}` or `|add_class`."""

from django import forms, template

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
    """Render a bound field with its widget's Bootstrap class, plus `is-invalid` on errors."""
    classes = widget_class(bound_field)
    if bound_field.errors:
        classes += " is-invalid"
    return add_class(bound_field, classes)


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
