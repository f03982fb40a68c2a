"""Form styling shared by every app: KRDS classes on widgets, so templates stay plain."""

from __future__ import annotations

from typing import Any

from django import forms


class KrdsFormMixin:
    """Give each widget the KRDS class for its kind (text input, select, checkbox)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "krds-form-select"
            elif isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                continue
            else:
                css = "krds-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
