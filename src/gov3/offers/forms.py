"""Forms of the offer pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gov3.core.forms import KrdsFormMixin


class ConfirmForm(KrdsFormMixin, forms.Form):
    """One action: confirm (the version guards against a changed offer)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DeclineForm(KrdsFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Why do you decline?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The agency reads this to improve its offers."),
    )


class ObjectionForm(KrdsFormMixin, forms.Form):
    text = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: a fact shown here is not true. The agency will answer you."),
    )
