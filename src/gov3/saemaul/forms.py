"""Forms of the Saemaul pages: plain fields, KRDS classes; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gov3.core.forms import KrdsFormMixin
from gov3.saemaul.models import (
    FundEntryKind,
    InfrastructureItem,
    Material,
    PhotoStage,
    ProgrammeRound,
    ProjectCategory,
    Resolution,
    ReviewStatus,
    RubricCriterion,
)

#: The largest whole number any count or amount field accepts (BigIntegerField fits it).
MAX_AMOUNT = 10**15


class DateInput(forms.DateInput):
    """A native date picker (works on phones without JavaScript)."""

    input_type = "date"


def _count(label: Any, *, required: bool = True, initial: int | None = None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_AMOUNT,
        required=required,
        initial=initial,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class AssemblyForm(KrdsFormMixin, forms.Form):
    """A villagers' general assembly: when, where, who attended (by sex)."""

    held_on = forms.DateField(label=_("Date of the assembly"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chaired_by = forms.CharField(label=_("Chaired by"), max_length=100, required=False)
    eligible_members = _count(_("Villagers entitled to attend"))
    attended_men = _count(_("Men attending"))
    attended_women = _count(_("Women attending"))
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("The assembly cannot be in the future."))
        return held_on


class ResolutionForm(KrdsFormMixin, forms.Form):
    """A decision put to the vote at the assembly (leave the title empty to skip a row)."""

    title = forms.CharField(label=_("Resolution"), max_length=200, required=False)
    votes_for = _count(_("Votes for"), required=False)
    votes_against = _count(_("Votes against"), required=False)
    abstentions = _count(_("Abstentions"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        votes = [data.get(k) for k in ("votes_for", "votes_against", "abstentions")]
        if not data.get("title") and any(v for v in votes):
            raise forms.ValidationError(_("Give the resolution a title, or clear its votes."))
        if data.get("title") and data.get("votes_for") is None:
            self.add_error("votes_for", _("Say how many voted for it."))
        return data


ResolutionFormSet = forms.formset_factory(ResolutionForm, extra=3, max_num=10)


class ResolutionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A resolution named by the date of its assembly, its number and its title."""

    def label_from_instance(self, obj: Resolution) -> str:
        return f"{obj.assembly.held_on} · {obj.number}. {obj.title}"


class ProjectForm(KrdsFormMixin, forms.Form):
    """A village project: what, where, the assembly's resolution, money and labour."""

    title = forms.CharField(label=_("Project title"), max_length=200)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Choose a category")), *ProjectCategory.choices]
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    resolution = ResolutionChoiceField(
        label=_("Assembly resolution"),
        queryset=Resolution.objects.none(),
        required=False,
        empty_label=_("No resolution yet"),
        help_text=_("The adopted resolution of the general assembly that chose this project."),
    )
    round = forms.ModelChoiceField(
        label=_("Programme round"),
        queryset=ProgrammeRound.objects.none(),
        required=False,
        empty_label=_("No round (own funds)"),
    )
    infrastructure_item = forms.ChoiceField(
        label=_("Completes checklist item"),
        choices=[("", _("None")), *InfrastructureItem.choices],
        required=False,
    )
    latitude = forms.FloatField(
        label=_("Site latitude"),
        min_value=-90,
        max_value=90,
        required=False,
        help_text=_("Decimal degrees, e.g. 34.5732"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.FloatField(
        label=_("Site longitude"),
        min_value=-180,
        max_value=180,
        required=False,
        help_text=_("Decimal degrees, e.g. 126.5990"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput)
    requested_grant_krw = _count(_("Cash grant requested (KRW)"), initial=0)
    community_cash_krw = _count(_("Villagers' cash (KRW)"), initial=0)
    community_labour_days = _count(_("Villagers' labour days"), initial=0)

    def __init__(
        self,
        *args: Any,
        resolutions: QuerySet[Resolution],
        rounds: QuerySet[ProgrammeRound],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        resolution_field = self.fields["resolution"]
        assert isinstance(resolution_field, forms.ModelChoiceField)
        resolution_field.queryset = resolutions
        round_field = self.fields["round"]
        assert isinstance(round_field, forms.ModelChoiceField)
        round_field.queryset = rounds


class BoqLineForm(KrdsFormMixin, forms.Form):
    """A line of the bill of quantities (leave the description empty to skip a row)."""

    description = forms.CharField(label=_("Item"), max_length=200, required=False)
    material = forms.ChoiceField(
        label=_("Programme material"),
        choices=[("", _("Not a programme material")), *Material.choices],
        required=False,
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    unit_price_krw = _count(_("Unit price (KRW)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("description"):
            if data.get("quantity") is None:
                self.add_error("quantity", _("Give the quantity."))
            if not data.get("unit"):
                self.add_error("unit", _("Give the unit, e.g. bags or m."))
        elif data.get("quantity") or data.get("unit") or data.get("unit_price_krw"):
            raise forms.ValidationError(_("Describe the item, or clear the row."))
        return data


BoqLineFormSet = forms.formset_factory(BoqLineForm, extra=3, max_num=30)


class VersionForm(KrdsFormMixin, forms.Form):
    """The version of the record the user saw; a decision on a newer one is refused."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class CheckForm(VersionForm):
    """The eup/myeon office passes a project to the county."""

    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class ReturnForm(VersionForm):
    """Send a project or a report back for correction, saying what to correct."""

    reason = forms.CharField(
        label=_("What must be corrected"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApproveForm(VersionForm):
    """The county approves a project and fixes its grant."""

    approved_grant_krw = _count(_("Cash grant approved (KRW)"))
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)


class PhotoForm(KrdsFormMixin, forms.Form):
    """A progress photo taken on the site (the camera's GPS position is read from it)."""

    stage = forms.ChoiceField(
        label=_("When was it taken?"), choices=[("", _("Choose")), *PhotoStage.choices]
    )
    photo = forms.FileField(
        label=_("Photo (JPEG or PNG)"),
        help_text=_("Take it on the site with location turned on: its position is checked."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )
    progress_percent = forms.IntegerField(
        label=_("Works done (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)


class PhotoReviewForm(KrdsFormMixin, forms.Form):
    """An officer's decision on a flagged photo."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("", _("Choose")),
            (ReviewStatus.ACCEPTED.value, _("Accept as evidence")),
            (ReviewStatus.REJECTED.value, _("Reject")),
        ],
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Required when rejecting."),
    )


class ReportForm(KrdsFormMixin, forms.Form):
    """Which month to report on."""

    year = forms.IntegerField(label=_("Year"), min_value=1970, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    narrative = forms.CharField(
        label=_("Narrative"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


def _past_date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, initial=timezone.localdate, widget=DateInput)


def _choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", _("Choose")), *choices]


class DeliveryForm(KrdsFormMixin, forms.Form):
    """Materials handed from a depot to a village, against its allocation."""

    allocation = forms.ChoiceField(label=_("Village and round"))
    depot = forms.ChoiceField(label=_("From depot"))
    material = forms.ChoiceField(label=_("Material"), choices=Material.choices)
    quantity = _count(_("Quantity"))
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DateInput)
    received_by = forms.CharField(label=_("Received by"), max_length=100, required=False)

    def __init__(
        self,
        *args: Any,
        allocations: list[tuple[str, str]],
        depots: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["allocation"], allocations)
        _choices(self.fields["depot"], depots)


class MaterialUseForm(KrdsFormMixin, forms.Form):
    """Delivered materials put into one of the village's approved projects."""

    project = forms.ChoiceField(label=_("Project"))
    material = forms.ChoiceField(
        label=_("Material"),
        choices=[("", _("Choose")), *[(m.value, m.label) for m in Material if m != Material.CASH]],
    )
    quantity = _count(_("Quantity used"))
    used_on = _past_date(_("Used on"))
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args: Any, projects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["project"], projects)


class FundEntryForm(KrdsFormMixin, forms.Form):
    """Money into or out of the village fund (grants come only from released tranches)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("", _("Choose")),
            *[(k.value, k.label) for k in FundEntryKind if k != FundEntryKind.GRANT],
        ],
    )
    amount_krw = _count(_("Amount (KRW)"))
    entry_on = _past_date(_("Date"))
    project = forms.ChoiceField(label=_("Project (optional)"), required=False)
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Required for an expense: say what it paid for."),
    )

    def __init__(self, *args: Any, projects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("None")), *projects]


class ReleaseTrancheForm(KrdsFormMixin, forms.Form):
    """The day a tranche of the grant is paid into the village fund."""

    released_on = _past_date(_("Paid on"))


class EvaluationForm(KrdsFormMixin, forms.Form):
    """A village's evaluation for a round: points per criterion of the round's rubric."""

    evaluated_on = _past_date(_("Evaluated on"))
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        criteria: list[RubricCriterion],
        ask_result: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        scores = {
            f"score_{c.code}": forms.IntegerField(
                label=_("%(criterion)s (0 to %(max)s points)")
                % {"criterion": c.name, "max": c.max_points},
                min_value=0,
                max_value=c.max_points,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            for c in criteria
        }
        extra: dict[str, forms.Field] = {}
        if ask_result:
            extra["showed_results"] = forms.ChoiceField(
                label=_("Did the village show results?"),
                choices=[("", _("Choose")), ("yes", _("Yes")), ("no", _("No"))],
            )
        self.fields = {**scores, **extra, **self.fields}
        for field in [*scores.values(), *extra.values()]:
            css = "krds-form-select" if isinstance(field.widget, forms.Select) else "krds-input"
            field.widget.attrs["class"] = css

    def scores(self) -> dict[str, int]:
        return {c.code: self.cleaned_data[f"score_{c.code}"] for c in self.criteria}

    def showed_results(self) -> bool | None:
        answer = self.cleaned_data.get("showed_results")
        return None if not answer else answer == "yes"


class ClassifyForm(KrdsFormMixin, forms.Form):
    """The year to classify the villages of an area for."""

    year = forms.IntegerField(label=_("Year"), min_value=1970, max_value=2100)
    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = areas


class AreaForm(KrdsFormMixin, forms.Form):
    """The area a dashboard is about."""

    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = areas
