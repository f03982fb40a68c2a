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


def _class_list(text: str) -> list[tuple[int, str]]:
    """ "1-2, 3-1" → [(1, "2"), (3, "1")]: grade and class name, separated by commas or
    spaces."""
    classes: list[tuple[int, str]] = []
    for spec in text.replace(",", " ").split():
        grade, dash, name = spec.partition("-")
        if not (dash and grade.isdigit() and name):
            raise forms.ValidationError(
                _("Give each class as GRADE-CLASS, e.g. 1-2 for grade 1, class 2 (not %(spec)s).")
                % {"spec": spec}
            )
        classes.append((int(grade), name))
    return classes


class ClassesForm(KrdsFormMixin, forms.Form):
    """The classes a teacher teaches in a school year."""

    school_year = forms.IntegerField(label=_("School year"), min_value=1900, max_value=2999)
    classes = forms.CharField(
        label=_("Classes taught"),
        max_length=200,
        help_text=_("Grade and class, e.g. 1-2 for grade 1, class 2; separate several by commas."),
    )

    def clean_classes(self) -> list[tuple[int, str]]:
        return _class_list(self.cleaned_data["classes"])


class TeacherForm(ClassesForm):
    """Register a teacher: a person of the register (by id number, with a gov3 account), one
    of the officer's schools and the classes they teach."""

    id_number = forms.CharField(
        label=_("National id number"),
        max_length=20,
        help_text=_("As on the teacher's id card. They need a gov3 account."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    school = forms.ChoiceField(label=_("School"), choices=())
    field_order = ["id_number", "school", "school_year", "classes"]

    def __init__(self, *args: object, schools: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = schools  # type: ignore[attr-defined]
        self.fields["classes"].required = False
        self.fields["classes"].help_text = _(
            "Grade and class, e.g. 1-2 for grade 1, class 2; separate several by commas. "
            "You can add classes later."
        )


#: The scopes an administrator may grant a classroom system, as the form names them.
SCOPE_CHOICES = [
    ("openid", _("openid: sign-in with gov3")),
    ("profile", _("profile: name and date of birth")),
    ("school", _("school: learner number, school, class and role")),
    (
        "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly",
        _("OneRoster 1.2 read: the school's class lists"),
    ),
]


class ClassroomClientForm(KrdsFormMixin, forms.Form):
    """Register a school's classroom system (LMS) as an OAuth client."""

    school = forms.CharField(label=_("School code"), max_length=20, help_text=_("e.g. KR-S-0001"))
    name = forms.CharField(
        label=_("Name of the classroom system"),
        max_length=100,
        help_text=_("Shown to learners and teachers when they sign in, e.g. Cheongun Moodle."),
    )
    kind = forms.ChoiceField(
        label=_("What is this client for?"),
        choices=[
            ("sign_in", _("Sign-in of learners and teachers (authorization code with PKCE)")),
            ("roster", _("Reading the class lists (OneRoster, client credentials)")),
        ],
        widget=forms.RadioSelect,
    )
    redirect_uris = forms.CharField(
        label=_("Redirect addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For sign-in: one address a line, https:// (http:// only to 127.0.0.1 or localhost)."
        ),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes granted"),
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "A classroom system cannot be granted %(value)s: choose among the scopes shown."
            ),
            "required": _("Grant one or more scopes."),
        },
    )
