"""Officer forms: every read of a record needs a purpose; a birth is registered by the
parents' national id numbers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gov3.accounts.access_policy import NOT_FOR_OFFICERS, NOT_FOR_REGISTER_RECORDS
from gov3.catalogue.eligibility import service_names
from gov3.core.forms import KrdsFormMixin
from gov3.core.models import AccessPurpose
from gov3.registry.models import Sex
from gov3.registry.queries import compact_id_number

OFFICER_PURPOSES = [
    (p.value, p.label)
    for p in AccessPurpose
    if p not in (*NOT_FOR_OFFICERS, *NOT_FOR_REGISTER_RECORDS)
]


class PurposeForm(KrdsFormMixin, forms.Form):
    """Why the officer needs to read a person's record; shown to the citizen."""

    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[("", _("Choose a purpose")), *OFFICER_PURPOSES],
        help_text=_("The citizen will see this in “Who looked at my data”."),
    )
    note = forms.CharField(
        label=_("Case or request reference (optional)"), max_length=200, required=False
    )

    def __init__(
        self, *args: Any, purposes: list[AccessPurpose] | None = None, **kwargs: Any
    ) -> None:
        """`purposes`: those the officer's role may state (the access policy); others are
        neither offered nor accepted."""
        super().__init__(*args, **kwargs)
        if purposes is not None:
            field = self.fields["purpose"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("Choose a purpose")), *((p.value, p.label) for p in purposes)]


class SearchForm(PurposeForm):
    """Search the register by national id number or name, for a stated purpose."""

    field_order = ["q", "purpose", "note"]

    q = forms.CharField(
        label=_("National id number or name"),
        min_length=2,
        max_length=100,
        help_text=_("An exact id number, or the beginning of a name."),
    )


def _service_choices() -> list[tuple[str, str]]:
    return [("", gettext("Choose a service")), *service_names(str(settings.GOV3_COUNTRY))]


class EligibilityForm(PurposeForm):
    """Which service to check a person against, and why."""

    field_order = ["service", "purpose", "note"]

    service = forms.ChoiceField(label=_("Service"), choices=_service_choices)


class BirthForm(KrdsFormMixin, forms.Form):
    """A newborn to register: the parents by national id number, the child's names, birth
    date and sex. The parents are looked up (and the reads logged) only once this is valid."""

    mother_id = forms.CharField(
        label=_("Mother's national id number"),
        max_length=20,
        help_text=_("As on her identity card; the hyphen is optional."),
    )
    father_id = forms.CharField(
        label=_("Father's national id number"),
        max_length=20,
        required=False,
        help_text=_("Leave empty if the father is not registered or not known."),
    )
    name_local = forms.CharField(
        label=_("Child's name in the national script"),
        max_length=100,
        help_text=_("As it will be registered, e.g. 김하늘 in Hangul."),
    )
    name_latin = forms.CharField(
        label=_("Child's name in Latin letters"),
        max_length=100,
        validators=[
            RegexValidator(
                r"^[A-Za-z][A-Za-z '-]*$",
                _("Use Latin letters, spaces and hyphens only, e.g. KIM HANEUL."),
            )
        ],
        help_text=_("As it will be printed on a passport, e.g. KIM HANEUL."),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[
            ("", _("Choose")),
            (Sex.MALE.value, Sex.MALE.label),
            (Sex.FEMALE.value, Sex.FEMALE.label),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_mother_id(self) -> str:
        return compact_id_number(self.cleaned_data["mother_id"])

    def clean_father_id(self) -> str:
        return compact_id_number(self.cleaned_data["father_id"])

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        mother, father = self.cleaned_data.get("mother_id"), self.cleaned_data.get("father_id")
        if mother and father and mother == father:
            self.add_error("father_id", _("The father's number is the same as the mother's."))
        return cleaned
