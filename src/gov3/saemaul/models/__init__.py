"""Saemaul Undong: villages, programme rounds, assemblies, projects, materials, funds,
evidence, evaluation, classification and the reporting chain.

Change these rows only through the `do_*` commands in `services.py`: each owns its transaction
and writes an audit entry. Ledgers (stock, deliveries, material use, the village fund,
classifications, project decisions, reference figures) are append-only.
"""

from __future__ import annotations

from gov3.saemaul.models.assemblies import Assembly, Resolution
from gov3.saemaul.models.choices import (
    CLASS_RANK,
    UNITS,
    Body,
    BodyRole,
    ClassMethod,
    DepotLevel,
    FundEntryKind,
    FundingSource,
    InfrastructureItem,
    Material,
    PhotoFlag,
    PhotoStage,
    ProjectAction,
    ProjectCategory,
    ProjectStatus,
    ReportLevel,
    ReportStatus,
    ReviewStatus,
    RoundStatus,
    SaemaulLevel,
    StockMovement,
    TrancheStatus,
    VillageClass,
    localised,
)
from gov3.saemaul.models.configuration import (
    ClassCriterion,
    LeaderSlot,
    ProgrammePolicy,
    Rubric,
    RubricCriterion,
)
from gov3.saemaul.models.evaluation import Evaluation, VillageClassification
from gov3.saemaul.models.evidence import EvidencePhoto, evidence_path
from gov3.saemaul.models.ledgers import Delivery, Depot, MaterialUse, StockEntry, VillageFundEntry
from gov3.saemaul.models.projects import Project, ProjectDecision, ProjectLine, Tranche
from gov3.saemaul.models.reference import ReferenceFigure, SaemaulAssignment
from gov3.saemaul.models.reports import Report
from gov3.saemaul.models.rounds import (
    Allocation,
    AllocationLine,
    PackageLine,
    ProgrammeRound,
    RoundFunding,
    TrancheRule,
)
from gov3.saemaul.models.villages import (
    BodyMember,
    Village,
    VillageAnnualFigures,
    VillageInfrastructure,
    VillageLeader,
)

__all__ = [
    "CLASS_RANK",
    "UNITS",
    "Allocation",
    "AllocationLine",
    "Assembly",
    "Body",
    "BodyMember",
    "BodyRole",
    "ClassCriterion",
    "ClassMethod",
    "Delivery",
    "Depot",
    "DepotLevel",
    "Evaluation",
    "EvidencePhoto",
    "FundEntryKind",
    "FundingSource",
    "InfrastructureItem",
    "LeaderSlot",
    "Material",
    "MaterialUse",
    "PackageLine",
    "PhotoFlag",
    "PhotoStage",
    "ProgrammePolicy",
    "ProgrammeRound",
    "Project",
    "ProjectAction",
    "ProjectCategory",
    "ProjectDecision",
    "ProjectLine",
    "ProjectStatus",
    "ReferenceFigure",
    "Report",
    "ReportLevel",
    "ReportStatus",
    "Resolution",
    "ReviewStatus",
    "RoundFunding",
    "RoundStatus",
    "Rubric",
    "RubricCriterion",
    "SaemaulAssignment",
    "SaemaulLevel",
    "StockEntry",
    "StockMovement",
    "Tranche",
    "TrancheRule",
    "TrancheStatus",
    "Village",
    "VillageAnnualFigures",
    "VillageClass",
    "VillageClassification",
    "VillageFundEntry",
    "VillageInfrastructure",
    "VillageLeader",
    "evidence_path",
    "localised",
]
