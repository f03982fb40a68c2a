"""Forms of the school pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
