"""Records into the API's answers."""

from typing import Any

from django.utils.translation import gettext

from gov3.core.errors import ValidationFailedError
from gov3.saemaul.models import (
    UNITS,
    Assembly,
    Evaluation,
    EvidencePhoto,
    Material,
    MaterialUse,
    Project,
    ProjectStatus,
    Report,
    Village,
    VillageFundEntry,
)
from gov3.saemaul.queries import project_progress
from gov3.saemaul.web_access import Jurisdiction


def _village_out(village: Village) -> dict[str, Any]:
    return {
        "code": village.code,
        "public_id": str(village.public_id),
        "name_local": village.name_local,
        "name_en": village.name_en,
        "area_code": village.area.code,
        "area_name": village.area.name_local,
        "households": village.households,
        "population": village.population,
        "latitude": village.latitude,
        "longitude": village.longitude,
        "village_class": village.village_class,
    }


def _summary(project: Project) -> dict[str, Any]:
    return {
        "public_id": str(project.public_id),
        "village_code": project.village.code,
        "title": project.title,
        "category": project.category,
        "status": project.status,
        "version": project.version,
    }


def _project_out(project: Project) -> dict[str, Any]:
    return _summary(project) | {
        "description": project.description,
        "resolution_id": project.resolution_id,
        "round_code": project.round.code if project.round else None,
        "latitude": project.latitude,
        "longitude": project.longitude,
        "estimated_cost_krw": project.estimated_cost_krw,
        "requested_grant_krw": project.requested_grant_krw,
        "community_cash_krw": project.community_cash_krw,
        "community_labour_days": project.community_labour_days,
        "approved_grant_krw": project.approved_grant_krw,
        "locked": project.status in (ProjectStatus.APPROVED, ProjectStatus.COMPLETED),
        "return_reason": project.return_reason,
        "lines": [
            {
                "position": line.position,
                "description": line.description,
                "material": line.material,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price_krw": line.unit_price_krw,
                "amount_krw": line.amount_krw,
            }
            for line in project.lines.all()
        ],
        "history": [
            {
                "action": d.action,
                "from_status": d.from_status,
                "to_status": d.to_status,
                "actor": d.actor,
                "at": d.at,
                "note": d.note,
            }
            for d in project.decisions.all()
        ],
    }


def _assembly_out(assembly: Assembly) -> dict[str, Any]:
    return {
        "id": assembly.pk,
        "village_code": assembly.village.code,
        "held_on": assembly.held_on,
        "place": assembly.place,
        "eligible_members": assembly.eligible_members,
        "attended_men": assembly.attended_men,
        "attended_women": assembly.attended_women,
        "quorum_percent": assembly.quorum_percent,
        "quorum_met": assembly.quorum_met,
        "resolutions": [
            {
                "id": r.pk,
                "number": r.number,
                "title": r.title,
                "votes_for": r.votes_for,
                "votes_against": r.votes_against,
                "abstentions": r.abstentions,
                "adopted": r.adopted,
            }
            for r in assembly.resolutions.all()
        ],
    }


def _photo_out(photo: EvidencePhoto) -> dict[str, Any]:
    return {
        "public_id": str(photo.public_id),
        "project_id": str(photo.project.public_id),
        "stage": photo.stage,
        "flag": photo.flag,
        "flagged": photo.flagged,
        "flag_text": str(photo.get_flag_display()),
        "latitude": photo.latitude,
        "longitude": photo.longitude,
        "distance_m": photo.distance_m,
        "threshold_m": photo.threshold_m,
        "taken_at": photo.taken_at,
        "progress_percent": photo.progress_percent,
        "caption": photo.caption,
        "review": photo.review,
        "uploaded_at": photo.uploaded_at,
    }


def _report_out(report: Report) -> dict[str, Any]:
    unit = report.village if report.village is not None else report.area
    assert unit is not None
    return {
        "id": report.pk,
        "level": report.level,
        "unit_code": unit.code,
        "unit_name": unit.name_local,
        "year": report.year,
        "month": report.month,
        "status": report.status,
        "locked": report.locked,
        "version": report.version,
        "figures": {k: v for k, v in report.figures.items() if isinstance(v, int)},
        "narrative": report.narrative,
        "reviewed_by": report.reviewed_by,
        "return_reason": report.return_reason,
    }


def _use_out(use: MaterialUse) -> dict[str, Any]:
    return {
        "id": use.pk,
        "village_code": use.village.code,
        "project_id": str(use.project.public_id),
        "material": use.material,
        "unit": str(UNITS[Material(use.material)]),
        "quantity": use.quantity,
        "used_on": use.used_on,
        "note": use.note,
        "actor": use.actor,
    }


def _fund_entry_out(entry: VillageFundEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "amount_krw": entry.amount_krw,
        "balance_after_krw": entry.balance_after_krw,
        "entry_on": entry.entry_on,
        "project_id": str(entry.project.public_id) if entry.project else None,
        "tranche": entry.tranche.number if entry.tranche else None,
        "note": entry.note,
        "actor": entry.actor,
    }


def _tranches_out(project: Project) -> dict[str, Any]:
    return {
        "project_id": str(project.public_id),
        "progress_percent": project_progress(project),
        "tranches": [
            {
                "number": t.number,
                "amount_krw": t.amount_krw,
                "min_progress_percent": t.min_progress_percent,
                "status": t.status,
                "released_on": t.released_on,
                "released_by": t.released_by,
            }
            for t in project.tranches.all()
        ],
    }


def _evaluation_out(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "round_code": evaluation.round.code,
        "village_code": evaluation.village.code,
        "village_name": evaluation.village.name_local,
        "scores": evaluation.scores,
        "total": evaluation.total,
        "showed_results": evaluation.showed_results,
        "evaluated_on": evaluation.evaluated_on,
        "evaluated_by": evaluation.evaluated_by,
        "note": evaluation.note,
    }


def _village_project(j: Jurisdiction, village: Village, public_id: str) -> Project:
    """One of the village's projects, by id (outside the jurisdiction: 404)."""
    project = j.project_by_id(public_id)
    if project.village_id != village.pk:
        raise ValidationFailedError(gettext("The village has no project with that id."))
    return project


def _people(rows: list[Any], role: Any) -> list[dict[str, Any]]:
    return [{"role": str(role(r)), "name": r.name, "sex": r.sex, "since": r.since} for r in rows]
