"""The school transcript: the learner's enrolment history (school, school year, grade, class,
from, until and how each ended) as a signed certificate through the document service, issued
at once for the citizen's own record or a child's they act for.

Assessment results are not listed: when this was built gov3 recorded no assessments (term
assessments are another change); they belong in `TranscriptFacts` once they exist.
"""

from __future__ import annotations

from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.core.errors import ValidationFailedError
from gov3.documents.content import TranscriptFacts, TranscriptLine
from gov3.documents.models import IssuedDocument
from gov3.documents.services import issue_transcript
from gov3.schools.models import Enrolment, Learner


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
    return TranscriptFacts(learner_number=learner.number, lines=lines)


def do_issue_transcript(user: User, learner: Learner) -> IssuedDocument:
    """Issue the transcript at once (`queries.learner_for` checked the citizen may have it)."""
    return issue_transcript(
        learner.person,
        transcript_facts(learner),
        requested_by=user,
        actor=f"citizen:{user.get_username()}",
    )
