"""Forms of the case pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gov3.core.forms import KrdsFormMixin


class DecisionForm(KrdsFormMixin, forms.Form):
    """An officer's decision; the text is the reason or the information asked for."""

    APPROVE, REJECT, RETURN = "approve", "reject", "return"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (APPROVE, _("Approve")),
            (REJECT, _("Reject")),
            (RETURN, _("Return for information")),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Reason or information needed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or return: the citizen reads it."),
    )


class ReplyForm(KrdsFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label=_("Your answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
