"""Assemblies, resolutions and the project workflow: no submission without a resolution, the
eup/myeon check and the county approval, return for correction, the locked grant, and
optimistic locking so that two officers deciding at once give exactly one decision."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone, translation

from gov3.core.errors import StaleVersionError, ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.registry.models import Area
from gov3.saemaul.errors import LockedError
from gov3.saemaul.models import ProgrammeRound, Project, ProjectDecision, Tranche, Village
from gov3.saemaul.services import (
    BoqLine,
    ResolutionInput,
    do_allocate_round,
    do_approve_project,
    do_check_project,
    do_record_assembly,
    do_return_project,
    do_submit_project,
    do_update_project,
)
from tests.saemaul.conftest import (
    ACTOR,
    adopted_resolution,
    approved_project,
    draft_project,
    make_village,
    model_round,
)


def _assembly(village: Village, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "held_on": timezone.localdate() - timedelta(days=1),
        "eligible_members": 40,
        "attended_men": 12,
        "attended_women": 9,
        "resolutions": [ResolutionInput("공동 빨래터", votes_for=15, votes_against=5)],
    }
    return do_record_assembly(ACTOR, village, **(fields | changes))


# --- assemblies -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_assembly_with_quorum_adopts_a_majority_resolution(village: Village) -> None:
    assembly = _assembly(village)
    assert (assembly.attended_men, assembly.attended_women, assembly.attended) == (12, 9, 21)
    assert assembly.quorum_percent == 50
    assert assembly.quorum_met  # 21 of 40 ≥ 20
    assert assembly.resolutions.get().adopted


@pytest.mark.django_db
def test_without_quorum_nothing_is_adopted(village: Village) -> None:
    assembly = _assembly(
        village,
        attended_men=10,
        attended_women=9,
        resolutions=[ResolutionInput("공동 빨래터", votes_for=19)],
    )
    assert not assembly.quorum_met  # 19 of 40 < 20
    assert not assembly.resolutions.get().adopted


@pytest.mark.django_db
def test_a_resolution_without_a_majority_is_not_adopted(village: Village) -> None:
    assembly = _assembly(
        village, resolutions=[ResolutionInput("공동 빨래터", votes_for=8, votes_against=8)]
    )
    assert not assembly.resolutions.get().adopted


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"attended_men": 30, "attended_women": 20}, "50 attended but only 40"),
        ({"eligible_members": 0}, "entitled to attend"),
        ({"resolutions": [ResolutionInput("x", votes_for=30)]}, "has 30 votes but only 21"),
        ({"held_on": timezone.localdate() + timedelta(days=2)}, "in the future"),
    ],
)
def test_impossible_assembly_figures_are_refused_and_nothing_is_written(
    village: Village, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationFailedError, match=message):
        _assembly(village, **changes)
    assert not village.assemblies.exists()


# --- the rule of the 1979 guideline ---------------------------------------------------------


@pytest.mark.django_db
def test_a_project_without_an_assembly_resolution_cannot_be_submitted(village: Village) -> None:
    project = draft_project(village)
    with pytest.raises(
        ValidationFailedError, match="without a resolution of the village's general"
    ):
        do_submit_project(ACTOR, project, expected_version=project.version)
    project.refresh_from_db()
    assert project.status == "draft"
    assert project.submitted_at is None
    assert not AuditEntry.objects.filter(action="saemaul.submit_project").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ko", "마을총회의 의결 없이 제출할 수 없습니다"),
        ("vi", "khi chưa có nghị quyết của hội nghị toàn thể thôn"),
    ],
)
def test_the_refusal_is_in_the_users_language(
    village: Village, language: str, message: str
) -> None:
    project = draft_project(village)
    with translation.override(language), pytest.raises(ValidationFailedError, match=message):
        do_submit_project(ACTOR, project, expected_version=project.version)


@pytest.mark.django_db
def test_a_resolution_that_was_not_adopted_does_not_count(village: Village) -> None:
    assembly = _assembly(
        village, attended_men=3, attended_women=2, resolutions=[ResolutionInput("x", 5)]
    )
    project = draft_project(village, resolution=assembly.resolutions.get())
    with pytest.raises(ValidationFailedError, match="was not adopted"):
        do_submit_project(ACTOR, project, expected_version=project.version)
    assert Project.objects.get().status == "draft"


@pytest.mark.django_db
def test_another_villages_resolution_cannot_be_attached(
    village: Village, county: dict[str, Area]
) -> None:
    other = make_village(county["46820-02"], "46820-02-0001")
    with pytest.raises(ValidationFailedError, match="another village's assembly"):
        draft_project(village, resolution=adopted_resolution(other))
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_submission_also_needs_a_site_and_a_bill_of_quantities(village: Village) -> None:
    resolution = adopted_resolution(village)
    no_site = draft_project(village, resolution=resolution, latitude=None, longitude=None)
    with pytest.raises(ValidationFailedError, match="site on the map"):
        do_submit_project(ACTOR, no_site, expected_version=no_site.version)
    no_lines = draft_project(village, resolution=resolution, lines=[])
    with pytest.raises(ValidationFailedError, match="bill of quantities"):
        do_submit_project(ACTOR, no_lines, expected_version=no_lines.version)


# --- the workflow ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_submission_check_and_approval_with_the_bill_of_quantities(village: Village) -> None:
    project = draft_project(village, resolution=adopted_resolution(village))
    # 150 bags at 0 + 12.5 m³ at 25,000 KRW + the works at 4,687,500 KRW.
    assert project.estimated_cost_krw == 5_000_000
    project = do_submit_project(ACTOR, project, expected_version=project.version)
    assert project.status == "submitted"
    project = do_check_project("myeon-officer", project, expected_version=project.version)
    assert (project.status, project.checked_by) == ("checked", "myeon-officer")
    project = do_approve_project(
        "county-officer", project, expected_version=project.version, approved_grant_krw=1_500_000
    )
    assert (project.status, project.approved_by, project.approved_grant_krw) == (
        "approved",
        "county-officer",
        1_500_000,
    )
    history = list(project.decisions.values_list("action", "from_status", "to_status", "actor"))
    assert history == [
        ("created", "", "draft", ACTOR),
        ("submitted", "draft", "submitted", ACTOR),
        ("checked", "submitted", "checked", "myeon-officer"),
        ("approved", "checked", "approved", "county-officer"),
    ]


@pytest.mark.django_db
def test_the_county_cannot_approve_what_the_eup_myeon_has_not_checked(village: Village) -> None:
    project = draft_project(village, resolution=adopted_resolution(village))
    project = do_submit_project(ACTOR, project, expected_version=project.version)
    with pytest.raises(ValidationFailedError, match="not possible from there"):
        do_approve_project(ACTOR, project, expected_version=project.version)
    assert Project.objects.get().status == "submitted"


@pytest.mark.django_db
def test_a_returned_project_is_corrected_and_submitted_again(village: Village) -> None:
    project = draft_project(village, resolution=adopted_resolution(village))
    project = do_submit_project(ACTOR, project, expected_version=project.version)
    with pytest.raises(ValidationFailedError, match="what must be corrected"):
        do_return_project(ACTOR, project, expected_version=project.version, reason=" ")
    project = do_return_project(
        ACTOR, project, expected_version=project.version, reason="골재 수량을 확인하세요"
    )
    assert (project.status, project.return_reason) == ("returned", "골재 수량을 확인하세요")
    project = do_update_project(
        ACTOR,
        project,
        expected_version=project.version,
        lines=[BoqLine("골재", 10, "m³", 25_000)],
    )
    assert project.estimated_cost_krw == 250_000
    project = do_submit_project(ACTOR, project, expected_version=project.version)
    assert (project.status, project.return_reason) == ("submitted", "")


@pytest.mark.django_db
def test_the_approved_grant_is_locked(village: Village) -> None:
    project = approved_project(village)
    with pytest.raises(LockedError, match="is locked since the county approved it"):
        do_update_project(
            ACTOR, project, expected_version=project.version, requested_grant_krw=9_000_000
        )
    with pytest.raises(LockedError, match="bill of quantities"):
        do_update_project(
            ACTOR, project, expected_version=project.version, lines=[BoqLine("x", 1, "식")]
        )
    project.refresh_from_db()
    assert (project.requested_grant_krw, project.approved_grant_krw) == (2_000_000, 2_000_000)
    assert project.lines.count() == 3
    # The timeline may still move.
    later = timezone.localdate() + timedelta(days=90)
    project = do_update_project(ACTOR, project, expected_version=project.version, ends_on=later)
    assert project.ends_on == later


@pytest.mark.django_db
def test_approval_splits_the_grant_into_the_rounds_tranches(village: Village) -> None:
    round_ = model_round()
    do_allocate_round(ACTOR, round_)
    project = approved_project(village, round_=round_, requested_grant_krw=3_000_001)
    tranches = list(project.tranches.values_list("number", "amount_krw", "min_progress_percent"))
    assert tranches == [(1, 1_500_000, 0), (2, 1_500_001, 50)]
    assert sum(t[1] for t in tranches) == project.approved_grant_krw


@pytest.mark.django_db
def test_the_grant_cannot_exceed_the_villages_cash_allocation(village: Village) -> None:
    round_ = model_round()
    do_allocate_round(ACTOR, round_)  # 5,000,000 KRW cash per village
    approved_project(village, round_=round_, requested_grant_krw=4_000_000)
    second = draft_project(village, resolution=adopted_resolution(village), round_=round_)
    second = do_submit_project(ACTOR, second, expected_version=second.version)
    second = do_check_project(ACTOR, second, expected_version=second.version)
    with pytest.raises(ValidationFailedError, match="1,000,000 KRW left"):
        do_approve_project(ACTOR, second, expected_version=second.version)
    assert Project.objects.get(pk=second.pk).status == "checked"
    assert not Tranche.objects.filter(project=second).exists()


@pytest.mark.django_db
def test_projects_only_join_an_open_round(village: Village) -> None:
    with pytest.raises(ValidationFailedError, match="not open"):
        draft_project(village, round_=ProgrammeRound.objects.get(code="kr-1979-guideline"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": " "}, "needs a title"),
        ({"category": "roads"}, "category"),
        ({"latitude": 91.0}, "latitude"),
        ({"requested_grant_krw": -1}, "negative"),
        ({"lines": [BoqLine("x", 0, "m")]}, "more than 0"),
        ({"lines": [BoqLine("x", "abc", "m")]}, "not a number"),
    ],
)
def test_bad_project_fields_are_refused_and_nothing_is_written(
    village: Village, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationFailedError, match=message):
        draft_project(village, **fields)
    assert not Project.objects.exists()


# --- optimistic locking ---------------------------------------------------------------------


@pytest.mark.django_db
def test_two_officers_deciding_on_the_same_version_give_exactly_one_decision(
    village: Village,
) -> None:
    project = draft_project(village, resolution=adopted_resolution(village))
    project = do_submit_project(ACTOR, project, expected_version=project.version)
    project = do_check_project(ACTOR, project, expected_version=project.version)
    seen_by_both = project.version
    do_approve_project("officer-a", project, expected_version=seen_by_both)
    with pytest.raises(StaleVersionError, match="Someone else changed this project"):
        do_return_project("officer-b", project, expected_version=seen_by_both, reason="다시")
    project.refresh_from_db()
    assert (project.status, project.approved_by) == ("approved", "officer-a")
    assert (
        ProjectDecision.objects.filter(project=project, action__in=["approved", "returned"]).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_from_two_threads_give_exactly_one_decision(
    county: dict[str, Area], programme: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's concurrent sessions")
    village = make_village(county["46820-03"], "46820-03-0001")
    project = draft_project(village, resolution=adopted_resolution(village))
    project = do_submit_project(ACTOR, project, expected_version=project.version)
    project = do_check_project(ACTOR, project, expected_version=project.version)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(name: str) -> None:
        try:
            barrier.wait()
            do_approve_project(
                name, Project.objects.get(pk=project.pk), expected_version=project.version
            )
            outcomes.append("approved")
        except StaleVersionError:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(f"officer-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "stale"]
    assert Tranche.objects.filter(project=project).count() == 1
    assert ProjectDecision.objects.filter(project=project, action="approved").count() == 1


# --- the grant and the cost (issue 14, item 13) -----------------------------------------------


@pytest.mark.django_db
def test_the_grant_never_exceeds_the_cost_less_the_villagers_cash(village: Village) -> None:
    """A county approved 3,000,000 KRW for a project estimated at 750,000 KRW."""
    project = draft_project(
        village,
        resolution=adopted_resolution(village),
        requested_grant_krw=3_000_000,
        community_cash_krw=500_000,
        lines=[
            BoqLine("시멘트", 150, "포대", 0, "cement"),
            BoqLine("골재(모래·자갈)", 30, "m³", 25_000),
        ],
    )
    assert project.estimated_cost_krw == 750_000
    project = do_submit_project(ACTOR, project, expected_version=project.version)
    project = do_check_project(ACTOR, project, expected_version=project.version)
    with pytest.raises(ValidationFailedError) as refused:
        do_approve_project(ACTOR, project, expected_version=project.version)
    assert str(refused.value) == (
        "The grant of 3,000,000 KRW is more than the project's estimated cost (750,000 KRW) "
        "less the villagers' cash contribution (500,000 KRW): at most 250,000 KRW can be "
        "approved. Correct the bill of quantities or the grant."
    )
    project.refresh_from_db()
    assert (project.status, project.approved_grant_krw) == ("checked", None)
    assert not Tranche.objects.filter(project=project).exists()
    # exactly the cost less the cash is allowed
    approved = do_approve_project(
        ACTOR, project, expected_version=project.version, approved_grant_krw=250_000
    )
    assert (approved.status, approved.approved_grant_krw) == ("approved", 250_000)
