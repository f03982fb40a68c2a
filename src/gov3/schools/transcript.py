"""The school transcript: the learner's enrolment history (school, school year, grade, class,
from, until and how each ended) and the term results the class teachers recorded
(`schools.work` assessment records: year, grade, term, subject, result in the pack's scale) as
a signed certificate through the document service, issued at once for the citizen's own record
or a child's they act for.
"""

from __future__ import annotations

from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.core.errors import ValidationFailedError
from gov3.documents.content import TranscriptFacts, TranscriptLine, TranscriptResult
from gov3.documents.models import IssuedDocument
from gov3.documents.services import issue_transcript
from gov3.schools.models import Enrolment, Learner
from gov3.schools.work.assessment import assessment_spec
from gov3.schools.work.models import AssessmentRecord


def _bilingual(labels: dict[str, str], fallback: str) -> str:
    """A pack label as the certificate prints it: ``국어 / Korean`` (one if they agree)."""
    local, english = labels.get("ko") or labels.get("en", fallback), labels.get("en", fallback)
    return local if local == english else f"{local} / {english}"


def transcript_results(learner: Learner) -> tuple[TranscriptResult, ...]:
    """The learner's term results, by school year, term and the pack's subject order."""
    records = list(
        AssessmentRecord.objects.filter(enrolment__learner=learner).select_related(
            "enrolment", "enrolment__school"
        )
    )
    if not records:
        return ()
    spec = assessment_spec(records[0].enrolment.school.country)
    order = {code: i for i, code in enumerate(spec.subjects)}
    records.sort(
        key=lambda r: (
            r.enrolment.school_year,
            r.enrolment.started_on,
            r.term,
            order.get(r.subject, len(order)),
            r.subject,
        )
    )
    return tuple(
        TranscriptResult(
            school_year=r.enrolment.school_year,
            grade=r.enrolment.grade,
            term=r.term,
            term_label=_bilingual(spec.terms.get(r.term, {}), str(r.term)),
            subject=r.subject,
            subject_label=_bilingual(spec.subjects.get(r.subject, {}), r.subject),
            result=r.result,
        )
        for r in records
    )


def transcript_facts(learner: Learner) -> TranscriptFacts:
    """The learner's enrolments, oldest first (a clear error when there are none)."""
    lines = tuple(
        TranscriptLine(
            school_name_local=e.school.name_local,
            school_name_en=e.school.name_en,
            school_code=e.school.code,
            school_year=e.school_year,
            grade=e.grade,
            class_name=e.class_name,
            started_on=e.started_on,
            ended_on=e.ended_on,
            end_reason=e.end_reason,
        )
        for e in Enrolment.objects.filter(learner=learner)
        .select_related("school")
        .order_by("started_on", "pk")
    )
    if not lines:
        raise ValidationFailedError(
            gettext("The learner has never been enrolled: there is nothing to certify.")
        )
    return TranscriptFacts(
        learner_number=learner.number, lines=lines, results=transcript_results(learner)
    )


def do_issue_transcript(user: User, learner: Learner) -> IssuedDocument:
    """Issue the transcript at once (`queries.learner_for` checked the citizen may have it)."""
    return issue_transcript(
        learner.person,
        transcript_facts(learner),
        requested_by=user,
        actor=f"citizen:{user.get_username()}",
    )
