"""Term assessment records: a class teacher records each learner's result in a subject and
term; the terms, subjects and the result scale of each school level are the country pack's
(``countries/<cc>/schools/assessment.yaml``, docs/schools.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as date_type
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gov3.catalogue.eligibility import text
from gov3.core.audit import record_audit
from gov3.core.errors import ValidationFailedError
from gov3.rules.pack import SAFE_LOADER
from gov3.schools.models import Enrolment, Teacher, TeachingAssignment
from gov3.schools.work.classes import enrolments_of
from gov3.schools.work.models import AssessmentRecord

ASSESSMENT_FILE = "assessment.yaml"


@dataclass(frozen=True)
class ResultScale:
    """How a result is written: ``levels`` (one of a list, e.g. A-E), ``text`` (a written
    description of at most ``max_length`` characters) or ``marks`` (a number from ``minimum``
    to ``maximum`` with at most ``decimals`` decimal places, e.g. vn 0-10, or one of ``levels``
    for a subject assessed by comment, e.g. Đạt / Chưa đạt)."""

    kind: str
    levels: tuple[str, ...] = ()
    max_length: int = 500
    minimum: Decimal = Decimal(0)
    maximum: Decimal = Decimal(10)
    decimals: int = 1

    def hint(self) -> str:
        """What the teacher may write (marks only)."""
        if self.kind != "marks":
            return ""
        text = gettext("A mark from %(min)s to %(max)s") % {
            "min": self.minimum,
            "max": self.maximum,
        }
        return f"{text} · {', '.join(self.levels)}" if self.levels else text

    def clean(self, given: str) -> str:
        """The result as stored (a mark written with a point: "8,5" → "8.5"), or a clear
        `ValidationFailedError`; blank stays blank."""
        value = given.strip()
        if not value:
            return ""
        if self.kind == "levels" and value not in self.levels:
            raise ValidationFailedError(
                gettext("A result must be one of %(levels)s.") % {"levels": ", ".join(self.levels)}
            )
        if self.kind == "marks" and value not in self.levels:
            number = _mark(value.replace(",", "."), self.decimals)
            if number is None or not self.minimum <= number <= self.maximum:
                raise ValidationFailedError(
                    gettext(
                        "A result must be a mark from %(min)s to %(max)s with at most "
                        "%(decimals)d decimal place(s)%(or)s."
                    )
                    % {
                        "min": self.minimum,
                        "max": self.maximum,
                        "decimals": self.decimals,
                        "or": f" ({', '.join(self.levels)})" if self.levels else "",
                    }
                )
            return str(number)
        if len(value) > self.max_length:
            raise ValidationFailedError(
                gettext("A result is too long (at most %(n)d characters).") % {"n": self.max_length}
            )
        return value


def _mark(text: str, decimals: int) -> Decimal | None:
    whole, _point, fraction = text.partition(".")
    if not whole.isascii() or not whole.isdigit() or len(whole) > 3:
        return None
    if fraction and (not fraction.isascii() or not fraction.isdigit()):
        return None
    if len(fraction) > decimals or (_point and not fraction):
        return None
    return Decimal(text)


@dataclass(frozen=True)
class AssessmentSpec:
    terms: dict[int, dict[str, str]]
    subjects: dict[str, dict[str, str]]
    results: dict[str, ResultScale]

    def term_label(self, term: int) -> str:
        return text(self.terms.get(term, {"en": str(term)}))

    def subject_label(self, subject: str) -> str:
        return text(self.subjects.get(subject, {"en": subject}))


def _labels(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or "en" not in value:
        raise ValidationFailedError(f"{ASSESSMENT_FILE}: every label needs at least 'en'")
    return {str(k): str(v) for k, v in value.items()}


def parse_spec(raw: Any) -> AssessmentSpec:
    """The spec from the YAML mapping; a clear error for anything malformed."""
    if not isinstance(raw, dict):
        raise ValidationFailedError(f"{ASSESSMENT_FILE} must be a mapping")
    terms = {int(k): _labels(v) for k, v in (raw.get("terms") or {}).items()}
    subjects = {str(k): _labels(v) for k, v in (raw.get("subjects") or {}).items()}
    results: dict[str, ResultScale] = {}
    for level, scale in (raw.get("results") or {}).items():
        kind = str((scale or {}).get("kind", ""))
        if kind == "levels":
            levels = tuple(str(v) for v in scale.get("levels") or ())
            if not levels:
                raise ValidationFailedError(f"{ASSESSMENT_FILE}: results.{level} lists no levels")
            results[str(level)] = ResultScale(kind, levels)
        elif kind == "text":
            results[str(level)] = ResultScale(kind, max_length=int(scale.get("max_length", 500)))
        elif kind == "marks":
            results[str(level)] = ResultScale(
                kind,
                levels=tuple(str(v) for v in scale.get("levels") or ()),
                minimum=Decimal(str(scale.get("min", 0))),
                maximum=Decimal(str(scale.get("max", 10))),
                decimals=int(scale.get("decimals", 1)),
                max_length=20,
            )
        else:
            raise ValidationFailedError(
                f"{ASSESSMENT_FILE}: results.{level}.kind: levels, text or marks"
            )
    if not terms or not subjects or not results:
        raise ValidationFailedError(f"{ASSESSMENT_FILE} needs terms, subjects and results")
    return AssessmentSpec(terms, subjects, results)


@lru_cache(maxsize=8)
def assessment_spec(country: str) -> AssessmentSpec:
    """The installed pack's assessment spec (read once per process)."""
    path = Path(settings.GOV3_COUNTRIES_DIR) / country / "schools" / ASSESSMENT_FILE
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
    except OSError:
        raise ValidationFailedError(
            gettext("The country pack %(country)s has no assessment data.") % {"country": country}
        ) from None
    return parse_spec(raw)


def scale_for(assignment: TeachingAssignment) -> ResultScale:
    spec = assessment_spec(assignment.teacher.school.country)
    scale = spec.results.get(assignment.teacher.school.level)
    if scale is None:
        raise ValidationFailedError(
            gettext("The country pack has no result scale for this school.")
        )
    return scale


def check_term_and_subject(country: str, term: object, subject: object) -> tuple[int, str]:
    spec = assessment_spec(country)
    try:
        number = int(str(term))
    except ValueError:
        number = 0
    if number not in spec.terms:
        raise ValidationFailedError(gettext("Choose a term."))
    if str(subject) not in spec.subjects:
        raise ValidationFailedError(gettext("Choose a subject."))
    return number, str(subject)


@dataclass(frozen=True)
class ResultRow:
    enrolment: Enrolment
    result: str


def assessment_sheet(
    assignment: TeachingAssignment, term: int, subject: str, day: date_type
) -> list[ResultRow]:
    """The class's results in a subject and term (blank where none is recorded)."""
    enrolments = enrolments_of(assignment, day)
    recorded = dict(
        AssessmentRecord.objects.filter(
            enrolment_id__in=[e.pk for e in enrolments], term=term, subject=subject
        ).values_list("enrolment_id", "result")
    )
    return [ResultRow(e, recorded.get(e.pk, "")) for e in enrolments]


def do_record_assessment(
    teacher: Teacher,
    assignment: TeachingAssignment,
    *,
    term: object,
    subject: object,
    results: Mapping[str, str],
    day: date_type | None = None,
) -> int:
    """Record the class's results in one subject and term: ``results`` maps a learner's public
    id to a result of the school level's scale (blank: none recorded, an earlier one removed).
    Anything wrong is a clear error and nothing is saved. Returns the results written."""
    day = day or timezone.localdate()
    if assignment.teacher_id != teacher.pk:
        raise ValidationFailedError(gettext("This is not your class."))
    number, code = check_term_and_subject(teacher.school.country, term, subject)
    scale = scale_for(assignment)
    enrolments = {str(e.learner.public_id): e for e in enrolments_of(assignment, day)}
    if set(results) - set(enrolments):
        raise ValidationFailedError(gettext("A learner of the form is not in this class."))
    cleaned: dict[int, str] = {}
    for public_id, given in results.items():
        cleaned[enrolments[public_id].pk] = scale.clean(given)
    now = timezone.now()
    written = 0
    with transaction.atomic(durable=True):
        for enrolment_id, value in cleaned.items():
            if not value:
                AssessmentRecord.objects.filter(
                    enrolment_id=enrolment_id, term=number, subject=code
                ).delete()
                continue
            AssessmentRecord.objects.update_or_create(
                enrolment_id=enrolment_id,
                term=number,
                subject=code,
                defaults={"result": value, "recorded_by": teacher, "recorded_at": now},
            )
            written += 1
        record_audit(
            actor=f"teacher:{teacher.user.get_username()}",
            action="schools.assessment",
            target_type="class",
            target_id=assignment.pk,
            data={"term": number, "subject": code, "results": written},
        )
    return written


@dataclass(frozen=True)
class SummaryRow:
    term: str
    subject: str
    result: str


def assessment_summary(enrolment: Enrolment) -> list[SummaryRow]:
    """A learner's results of the enrolment's school year, by term and subject (the guardian's
    summary)."""
    spec = assessment_spec(enrolment.school.country)
    order = {code: i for i, code in enumerate(spec.subjects)}
    records = sorted(
        AssessmentRecord.objects.filter(enrolment=enrolment),
        key=lambda r: (r.term, order.get(r.subject, 99)),
    )
    return [
        SummaryRow(spec.term_label(r.term), spec.subject_label(r.subject), r.result)
        for r in records
    ]
