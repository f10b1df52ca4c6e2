"""Form fields written in Python: the same HTML as Django's widget templates, without
rendering two or three templates per option (a menu of a few hundred accounts or a list of
features costs more than the rest of its page that way)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext


def escape_html(value: Any) -> str:
    """As django.utils.html.conditional_escape (a safe string as it is, anything else escaped),
    without its wrapper for lazy arguments: a form escapes a few hundred values."""
    if isinstance(value, Promise):  # a lazy text may be safe once evaluated (a help text)
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def attrs_html(attrs: Mapping[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: `` name="value"``, a bare name for True, nothing
    for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {escape_html(name)}")
        else:
            out.append(f' {escape_html(name)}="{escape_html(str(value))}"')
    return "".join(out)


def _option(option: Mapping[str, Any]) -> str:
    return (
        f'<option value="{escape_html(str(option["value"]))}"'
        f"{attrs_html(option['attrs'])}>{escape_html(option['label'])}</option>"
    )


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<input type="{escape_html(widget["type"])}" '
        f'name="{escape_html(widget["name"])}"'
        + ("" if value is None else f' value="{escape_html(str(value))}"')
        + f"{attrs_html(widget['attrs'])}>"
    )


def _input_option(option: Mapping[str, Any]) -> str:
    field = _input(option)
    if not option.get("wrap_label"):
        return field
    label_id = option["attrs"].get("id")
    label_for = f' for="{escape_html(label_id)}"' if label_id else ""
    return f"<label{label_for}>{field} {escape_html(option['label'])}</label>"


_INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime",
        "time", "search", "tel", "color", "checkbox", "file",
    )
}  # fmt: skip


def _select(widget: Mapping[str, Any]) -> str:
    out = [f'<select name="{escape_html(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{escape_html(group_name)}">')
        out.extend(f"\n  {_option(option)}" for option in options)
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _multiple_input(widget: Mapping[str, Any]) -> str:
    wid = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    out = [
        "<div"
        + (f' id="{escape_html(wid)}"' if wid else "")
        + (f' class="{escape_html(css)}"' if css else "")
        + ">"
    ]
    for group, options, _ in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{escape_html(group)}</label>")
        out.extend(f"<div>\n    {_input_option(option)}</div>" for option in options)
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out)


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{escape_html(widget["name"])}"{attrs_html(widget["attrs"])}>\n'
        f"{escape_html(value) if value else ''}</textarea>"
    )


_WRITERS = {
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/checkbox_select.html": _multiple_input,
    "django/forms/widgets/radio.html": _multiple_input,
    "django/forms/widgets/textarea.html": _textarea,
    **dict.fromkeys(_INPUTS, _input),
}


class QuickRenderer(DjangoTemplates):
    """Django's form renderer, but the common widgets (inputs, text areas, menus, tick and
    radio lists) are written in Python; anything else goes through its template."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        writer = _WRITERS.get(template_name)
        if writer is None or "widget" not in context:
            return super().render(template_name, context, request)
        return mark_safe(writer(context["widget"]))  # noqa: S308 - every value is escaped


class QuickForm(forms.Form):
    """A form whose widgets are written by :class:`QuickRenderer`."""

    default_renderer = QuickRenderer


def fields_html(form: forms.BaseForm) -> str:
    """A form's fields as ``_form_fields.html`` lays them out (its errors, each visible field
    with its label, help and errors, then the hidden fields), written here: a template costs a
    dozen lookups and tags per field, more than the widget itself."""
    out = []
    errors = form.non_field_errors()
    if errors:
        out.append('<div class="form-errors" role="alert">')
        out.extend(f"<p>{escape_html(str(e))}</p>" for e in errors)
        out.append("</div>")
    out.append("\n")
    for field in form.visible_fields():
        kind = field.widget_type
        widget = str(field)  # the widget's HTML, already safe (as the template's {{ field }})
        label = escape_html(field.label)
        for_id = escape_html(field.id_for_label)
        check = " field-check" if kind == "checkbox" else ""
        invalid = " field-invalid" if field.errors else ""
        out.append(f'\n<div class="field field-{escape_html(field.name)}{check}{invalid}">\n  \n  ')
        if kind == "checkbox":
            out.append(f'{widget} <label for="{for_id}">{label}</label>')
        elif kind == "radioselect":
            out.append(f"<fieldset><legend>{label}</legend>{widget}</fieldset>")
        else:
            optional = (
                ""
                if field.field.required
                else f' <span class="muted">({escape_html(gettext("optional"))})</span>'
            )
            out.append(f'<label for="{for_id}">{label}{optional}</label>\n  {widget}')
        out.append("\n  \n  ")
        if field.help_text:
            out.append(
                f'<div class="help" id="{for_id}_helptext">{escape_html(field.help_text)}</div>'
            )
        out.append("\n  ")
        out.extend(f'<p class="error" role="alert">{escape_html(str(e))}</p>' for e in field.errors)
        out.append("\n</div>\n")
    out.append("\n")
    out.extend(str(field) for field in form.hidden_fields())
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped
