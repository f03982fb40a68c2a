"""Officer forms: every read of a record needs a purpose."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gov3.catalogue.eligibility import service_names
from gov3.core.forms import KrdsFormMixin
from gov3.core.models import AccessPurpose

OFFICER_PURPOSES = [
    (p.value, p.label)
    for p in AccessPurpose
    if p not in (AccessPurpose.SYSTEM_EVALUATION, AccessPurpose.REGISTRY_ADMINISTRATION)
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
