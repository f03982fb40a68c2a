"""The HR officer's order form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gov3.personnel.models import OrderKind, Position
from gov3.personnel.pack import PersonnelPack


class PositionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A position shown with its agency and unit."""

    def label_from_instance(self, obj: Any) -> str:
        unit = obj.unit
        return f"{unit.agency.name_local} / {unit.name_local} / {obj.title_local} ({obj.code})"


class OrderForm(forms.Form):
    """Draft a personnel order about one civil servant."""

    kind = forms.ChoiceField(label=_("Kind of order"), choices=OrderKind.choices)
    position = PositionChoiceField(
        label=_("Position"),
        queryset=Position.objects.none(),
        required=False,
        help_text=_("Not needed for a retirement, a leave of absence or a return."),
    )
    grade = forms.ChoiceField(label=pgettext_lazy("civil service", "Grade"), required=False)
    step = forms.IntegerField(label=_("Step"), required=False, min_value=1, max_value=40)
    effective_on = forms.DateField(
        label=_("Takes effect on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("From this day the civil servant acts in the new post in gov3."),
    )
    exception_reason = forms.CharField(
        label=_("Reason for an exception to a tenure rule (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, positions: Any, pack: PersonnelPack, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        position_field = self.fields["position"]
        assert isinstance(position_field, forms.ModelChoiceField)
        position_field.queryset = positions
        grade_field = self.fields["grade"]
        assert isinstance(grade_field, forms.ChoiceField)
        grade_field.choices = [("", _("Keep the current grade"))] + [
            (g.code, f"{g.name_local} ({g.code})") for g in pack.grades
        ]
