"""Forms of the participation pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gov3.core.forms import KrdsFormMixin
from gov3.participation.models import DisclosureDecision, ObjectionOutcome, PetitionKind, Stance


class PetitionForm(KrdsFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=PetitionKind.choices)
    category = forms.ChoiceField(
        label=_("Subject"), required=False, help_text=_("Leave empty if you are not sure.")
    )
    area = forms.CharField(label=_("Area code"), max_length=20, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Your petition"), widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Not sure: let gov3 route it")), *categories]  # type: ignore[attr-defined]


class TextForm(KrdsFormMixin, forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))


class RateForm(KrdsFormMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("1 = very unsatisfied, 5 = very satisfied"),
    )


class OfficerPetitionForm(KrdsFormMixin, forms.Form):
    ANSWER, TRANSFER, EXTEND, SPLIT = "answer", "transfer", "extend", "split"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (ANSWER, _("Answer (every petition of the group)")),
            (TRANSFER, _("Transfer to another agency")),
            (EXTEND, _("Extend the period")),
            (SPLIT, _("Take out of the group")),
        ],
        widget=forms.RadioSelect,
    )
    agency = forms.CharField(label=_("Agency code (to transfer)"), required=False, max_length=40)
    text = forms.CharField(
        label=_("Answer or reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The petitioner reads it."),
    )


class ObjectionDecisionForm(KrdsFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=ObjectionOutcome.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DisclosureRequestForm(KrdsFormMixin, forms.Form):
    agency = forms.ChoiceField(label=_("Agency"))
    subject = forms.CharField(
        label=_("The information you ask for"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("No reason is needed."),
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]


class DisclosureDecisionForm(KrdsFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[*DisclosureDecision.choices, ("extend", _("Extend the period"))],
        widget=forms.RadioSelect,
    )
    grounds = forms.MultipleChoiceField(
        label=_("Legal grounds for not disclosing"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    text = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("File disclosed"), required=False)

    def __init__(self, *args: Any, grounds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grounds"].choices = grounds  # type: ignore[attr-defined]


class CommentForm(KrdsFormMixin, forms.Form):
    stance = forms.ChoiceField(
        label=_("Your view"), choices=Stance.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ParameterDraftForm(KrdsFormMixin, forms.Form):
    """A consultation on new values of a service's money parameter."""

    service = forms.CharField(label=_("Service id"), max_length=60)
    parameter = forms.CharField(label=_("Parameter (group.name)"), max_length=120)
    value = forms.IntegerField(label=_("New value"), min_value=0)
    version = forms.CharField(label=_("New version of the service"), max_length=30)
    effective_on = forms.DateField(
        label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=_("Comments until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.URLField(
        label=_("Where the draft is published"), max_length=200, assume_scheme="https"
    )


class PublicationForm(KrdsFormMixin, forms.Form):
    """An item of the agency's proactive publication list."""

    title = forms.CharField(label=_("Title of what is published"), max_length=300)
    url = forms.URLField(
        label=_("Where it is published"),
        max_length=200,
        assume_scheme="https",
        help_text=_("The address of the page or file, starting with https://"),
    )


class PublicPetitionForm(KrdsFormMixin, forms.Form):
    """A public petition others can sign."""

    category = forms.ChoiceField(label=_("Subject"))
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("What you ask for"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]
