"""SD-JWT VC Type Metadata (IETF draft-ietf-oauth-sd-jwt-vc, "Type Metadata"): what a wallet
needs to show a gov3 credential properly — the type's name and description in every language
gov3 speaks, and a label for every claim, with whether the holder may leave it out.

Served at the credential's `vct` URL (`/documents/types/<type>`), which returned 404 before
(issue 14, item 9). Every claim of a gov3 credential is selectively disclosable (`sd:
allowed`): the holder shows a verifier only what is needed.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from gov3.core.translations import LANGUAGES
from gov3.documents.models import DocumentType
from gov3.documents.services import vct

#: Path in the credential (None: every element of a list) → its label.
Claims = list[tuple[tuple[str | None, ...], Promise]]

_DOCUMENT_NUMBER: Claims = [(("document_number",), gettext_lazy("Document number"))]
_PERSON: Claims = [
    (("name",), gettext_lazy("Name")),
    (("name_latin",), gettext_lazy("Name in Latin letters")),
    (("birth_date",), gettext_lazy("Date of birth")),
    (("national_id",), pgettext_lazy("credential claim", "National id number (masked)")),
]

CLAIMS: dict[str, Claims] = {
    DocumentType.PASSPORT: [
        *_DOCUMENT_NUMBER,
        (("passport_number",), gettext_lazy("Passport number")),
        (("document_code",), pgettext_lazy("credential claim", "Type of passport")),
        (("issuing_state",), pgettext_lazy("credential claim", "Issuing state")),
        (("surname",), gettext_lazy("Surname")),
        (("given_names",), gettext_lazy("Given names")),
        (("name_local",), gettext_lazy("Name")),
        (("nationality",), gettext_lazy("Nationality")),
        (("birth_date",), gettext_lazy("Date of birth")),
        (("sex",), gettext_lazy("Sex")),
        (("issued_on",), gettext_lazy("Date of issue")),
        (("expires_on",), gettext_lazy("Date of expiry")),
        (("mrz",), pgettext_lazy("credential claim", "Machine-readable zone")),
    ],
    DocumentType.RESIDENT_REGISTRATION: [
        *_DOCUMENT_NUMBER,
        *_PERSON,
        (("address",), gettext_lazy("Address")),
        (("household",), pgettext_lazy("credential claim", "Members of the household")),
        (("household", None, "name"), pgettext_lazy("credential claim", "Member's name")),
        (
            ("household", None, "relationship"),
            pgettext_lazy("credential claim", "Relationship to the head of household"),
        ),
        (
            ("household", None, "birth_date"),
            pgettext_lazy("credential claim", "Member's date of birth"),
        ),
    ],
    DocumentType.FAMILY_RELATIONS: [
        *_DOCUMENT_NUMBER,
        *_PERSON,
        (("sex",), gettext_lazy("Sex")),
        (("family",), pgettext_lazy("credential claim", "Family")),
        (("family", None, "relation"), pgettext_lazy("credential claim", "Relation")),
        (("family", None, "name"), pgettext_lazy("credential claim", "Relative's name")),
        (
            ("family", None, "birth_date"),
            pgettext_lazy("credential claim", "Relative's date of birth"),
        ),
        (("family", None, "sex"), pgettext_lazy("credential claim", "Relative's sex")),
        (("family", None, "deceased"), pgettext_lazy("credential claim", "Deceased")),
    ],
    DocumentType.SCHOOL_ENROLMENT: [
        *_DOCUMENT_NUMBER,
        *_PERSON,
        (("learner_number",), gettext_lazy("Learner number")),
        (("school",), gettext_lazy("School")),
        (("school_code",), gettext_lazy("School code")),
        (("school_year",), gettext_lazy("School year")),
        (("grade",), gettext_lazy("Grade")),
        (("class_name",), gettext_lazy("Class")),
        (("enrolled_since",), gettext_lazy("Enrolled since")),
        (("issued_on",), gettext_lazy("Date of issue")),
    ],
    DocumentType.SCHOOL_GRADUATION: [
        *_DOCUMENT_NUMBER,
        *_PERSON,
        (("learner_number",), gettext_lazy("Learner number")),
        (("school",), gettext_lazy("School")),
        (("school_code",), gettext_lazy("School code")),
        (("school_year",), gettext_lazy("School year")),
        (("grade",), gettext_lazy("Grade")),
        (("class_name",), gettext_lazy("Class")),
        (("enrolled_since",), gettext_lazy("Enrolled since")),
        (("graduated_on",), gettext_lazy("Graduated on")),
        (("issued_on",), gettext_lazy("Date of issue")),
    ],
    DocumentType.EMPLOYMENT: [
        *_DOCUMENT_NUMBER,
        *_PERSON,
        (("employee_number",), gettext_lazy("Employee number")),
        (("agency",), gettext_lazy("Agency")),
        (("unit",), gettext_lazy("Unit")),
        (("position",), gettext_lazy("Position")),
        (("grade",), gettext_lazy("Grade")),
        (("serving_since",), gettext_lazy("In this post since")),
        (("entered_on",), gettext_lazy("Entered the service on")),
        (("issued_on",), gettext_lazy("Date of issue")),
    ],
    DocumentType.CAREER: [
        *_DOCUMENT_NUMBER,
        *_PERSON,
        (("employee_number",), gettext_lazy("Employee number")),
        (("entered_on",), gettext_lazy("Entered the service on")),
        (("career",), gettext_lazy("Career")),
        (("career", None, "agency"), gettext_lazy("Agency")),
        (("career", None, "unit"), gettext_lazy("Unit")),
        (("career", None, "position"), gettext_lazy("Position")),
        (("career", None, "grade"), gettext_lazy("Grade")),
        (("career", None, "from"), pgettext_lazy("credential claim", "From")),
        (("career", None, "to"), pgettext_lazy("credential claim", "To")),
        (("prior_career",), gettext_lazy("Career before entering the service")),
        (("prior_career", None, "title"), pgettext_lazy("credential claim", "Post or work")),
        (("prior_career", None, "employer"), pgettext_lazy("credential claim", "Employer")),
        (("prior_career", None, "from"), pgettext_lazy("credential claim", "From")),
        (("prior_career", None, "to"), pgettext_lazy("credential claim", "To")),
        (("issued_on",), gettext_lazy("Date of issue")),
    ],
    DocumentType.SCHOOL_TRANSCRIPT: [
        *_DOCUMENT_NUMBER,
        *_PERSON,
        (("learner_number",), gettext_lazy("Learner number")),
        (("enrolments",), gettext_lazy("Enrolment history")),
        (("enrolments", None, "school"), gettext_lazy("School")),
        (("enrolments", None, "school_code"), gettext_lazy("School code")),
        (("enrolments", None, "school_year"), gettext_lazy("School year")),
        (("enrolments", None, "grade"), gettext_lazy("Grade")),
        (("enrolments", None, "class_name"), gettext_lazy("Class")),
        (("enrolments", None, "started_on"), gettext_lazy("Started on")),
        (("enrolments", None, "ended_on"), gettext_lazy("Ended on")),
        (("enrolments", None, "end_reason"), gettext_lazy("How it ended")),
        (("results",), gettext_lazy("Term results")),
        (("results", None, "school_year"), gettext_lazy("School year")),
        (("results", None, "grade"), gettext_lazy("Grade")),
        (("results", None, "term"), gettext_lazy("Term")),
        (("results", None, "subject"), pgettext_lazy("credential claim", "Subject code")),
        (("results", None, "subject_name"), pgettext_lazy("school subject", "Subject")),
        (("results", None, "result"), gettext_lazy("Result")),
        (("issued_on",), gettext_lazy("Date of issue")),
    ],
}

DESCRIPTIONS: dict[str, Promise] = {
    DocumentType.PASSPORT: pgettext_lazy(
        "credential type",
        "A passport issued without paperwork: the data page's details, signed by the issuing "
        "government.",
    ),
    DocumentType.RESIDENT_REGISTRATION: pgettext_lazy(
        "credential type",
        "A resident registration certificate: the holder's address and the members of their "
        "household, from the population register.",
    ),
    DocumentType.FAMILY_RELATIONS: pgettext_lazy(
        "credential type",
        "A family relations certificate: the holder's parents, spouse and children, from the "
        "family relations register.",
    ),
    DocumentType.SCHOOL_ENROLMENT: pgettext_lazy(
        "credential type",
        "A certificate of enrolment: the learner's school, school year, grade and class, from "
        "the learner registry.",
    ),
    DocumentType.SCHOOL_GRADUATION: pgettext_lazy(
        "credential type",
        "A certificate of graduation: the school the learner graduated from and when, from the "
        "learner registry.",
    ),
    DocumentType.EMPLOYMENT: pgettext_lazy(
        "credential type",
        "A certificate of employment: the civil servant's agency, unit, post and grade today, "
        "from the personnel records.",
    ),
    DocumentType.CAREER: pgettext_lazy(
        "credential type",
        "A career certificate: every post the civil servant has held, with grades and dates, "
        "and their career before entering the service, from the personnel records.",
    ),
    DocumentType.SCHOOL_TRANSCRIPT: pgettext_lazy(
        "credential type",
        "A school transcript: the learner's enrolment history (school, school year, grade and "
        "class) and term results, from the learner registry.",
    ),
}


def _in_every_language(text: Promise, key: str) -> list[dict[str, str]]:
    entries = []
    for language in LANGUAGES:
        with translation.override(language):
            entries.append({"locale": language, key: str(text)})
    return entries


def type_metadata(document_type: str) -> dict[str, Any]:
    """The Type Metadata document of `document_type` (a `DocumentType` value)."""
    kind = DocumentType(document_type)
    display = []
    for language in LANGUAGES:
        with translation.override(language):
            display.append(
                {
                    "locale": language,
                    "name": str(kind.label),
                    "description": str(DESCRIPTIONS[kind]),
                }
            )
    with translation.override("en"):
        name, description = str(kind.label), str(DESCRIPTIONS[kind])
    return {
        "vct": vct(kind),
        "name": name,
        "description": description,
        "display": display,
        "claims": [
            {"path": list(path), "display": _in_every_language(label, "label"), "sd": "allowed"}
            for path, label in CLAIMS[kind]
        ],
    }
