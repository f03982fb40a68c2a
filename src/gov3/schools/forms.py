"""Forms of the school pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gov3.core.forms import KrdsFormMixin
from gov3.schools.models import RequestKind


class FinderForm(forms.Form):
    """The public school finder: a neighbourhood or district name and a school year."""

    q = forms.CharField(
        label=_("Your neighbourhood (dong) or district"),
        max_length=60,
        help_text=_("As in your registered address, e.g. Sajik-dong or Jongno-gu."),
    )
    year = forms.TypedChoiceField(label=_("School year"), coerce=int, choices=())

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(y, str(y)) for y in years]
        if years:
            field.initial = years[0]


class EntryRequestForm(KrdsFormMixin, forms.Form):
    """What the guardian asks the education office instead of confirming, and why."""

    kind = forms.ChoiceField(
        label=_("What do you ask for?"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Why?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The education office decides on this; you can attach documents later."),
    )
