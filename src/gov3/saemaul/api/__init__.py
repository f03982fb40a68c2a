"""The Saemaul API (/api/v1/saemaul/): the same records, steps and permissions as the pages.

Thin handlers: find the record within the caller's jurisdiction (outside it: 404), call one
``do_*`` command, return what changed. A refused command answers 4xx with
``{"detail": message}`` and changes nothing (see gov3.api.main for the status of each error).
"""

from __future__ import annotations

# isort: off
# The operations register in the programme's order, which is the order of the OpenAPI document
# and of URL matching (the re-exports below are sorted, so they cannot set it).
from gov3.saemaul.api import villages as villages
from gov3.saemaul.api import assemblies as assemblies
from gov3.saemaul.api import projects as projects
from gov3.saemaul.api import ledgers as ledgers
from gov3.saemaul.api import evaluation as evaluation
from gov3.saemaul.api import reports as reports
from gov3.saemaul.api import dashboards as dashboards

# isort: on
from gov3.saemaul.api.access import MAX_LIMIT, router
from gov3.saemaul.api.assemblies import list_assemblies, record_assembly
from gov3.saemaul.api.dashboards import (
    CSV,
    JSON,
    dashboard,
    export_projects_csv,
    export_projects_json,
    export_results_csv,
    export_results_json,
    export_villages_csv,
    export_villages_geojson,
    export_villages_json,
    rankings,
)
from gov3.saemaul.api.evaluation import classify, list_evaluations, record_evaluation
from gov3.saemaul.api.ledgers import (
    LEDGER_RESPONSES,
    list_material_use,
    list_tranches,
    record_fund_entry,
    record_material_use,
    release_tranche,
    village_fund,
)
from gov3.saemaul.api.projects import (
    STEP_RESPONSES,
    approve_project,
    check_project,
    create_project,
    list_photos,
    list_projects,
    project_detail,
    return_project,
    submit_project,
    upload_photo,
)
from gov3.saemaul.api.reports import (
    REPORT_STEP_RESPONSES,
    approve_report,
    list_reports,
    prepare_report,
    report_detail,
    return_report,
    submit_report,
)
from gov3.saemaul.api.schemas import (
    ApproveIn,
    AssemblyIn,
    AssemblyOut,
    BoqLineIn,
    BoqLineOut,
    CheckIn,
    ChecklistItemOut,
    ClassificationOut,
    ClassifyIn,
    ClassOut,
    DashboardOut,
    EvaluationIn,
    EvaluationOut,
    FundEntryIn,
    FundEntryOut,
    FundOut,
    MaterialOut,
    MaterialUseIn,
    MaterialUseOut,
    PersonOut,
    PhotoOut,
    ProjectDecisionOut,
    ProjectIn,
    ProjectOut,
    ProjectSummaryOut,
    RankedOut,
    ReleaseIn,
    ReportIn,
    ReportOut,
    ResolutionIn,
    ResolutionOut,
    ReturnIn,
    SaemaulVersionIn,
    TrancheOut,
    TranchesOut,
    VillageDetailOut,
    VillageList,
    VillageOut,
)
from gov3.saemaul.api.villages import list_villages, village_detail

__all__ = [
    "CSV",
    "JSON",
    "LEDGER_RESPONSES",
    "MAX_LIMIT",
    "REPORT_STEP_RESPONSES",
    "STEP_RESPONSES",
    "ApproveIn",
    "AssemblyIn",
    "AssemblyOut",
    "BoqLineIn",
    "BoqLineOut",
    "CheckIn",
    "ChecklistItemOut",
    "ClassOut",
    "ClassificationOut",
    "ClassifyIn",
    "DashboardOut",
    "EvaluationIn",
    "EvaluationOut",
    "FundEntryIn",
    "FundEntryOut",
    "FundOut",
    "MaterialOut",
    "MaterialUseIn",
    "MaterialUseOut",
    "PersonOut",
    "PhotoOut",
    "ProjectDecisionOut",
    "ProjectIn",
    "ProjectOut",
    "ProjectSummaryOut",
    "RankedOut",
    "ReleaseIn",
    "ReportIn",
    "ReportOut",
    "ResolutionIn",
    "ResolutionOut",
    "ReturnIn",
    "SaemaulVersionIn",
    "TrancheOut",
    "TranchesOut",
    "VillageDetailOut",
    "VillageList",
    "VillageOut",
    "approve_project",
    "approve_report",
    "check_project",
    "classify",
    "create_project",
    "dashboard",
    "export_projects_csv",
    "export_projects_json",
    "export_results_csv",
    "export_results_json",
    "export_villages_csv",
    "export_villages_geojson",
    "export_villages_json",
    "list_assemblies",
    "list_evaluations",
    "list_material_use",
    "list_photos",
    "list_projects",
    "list_reports",
    "list_tranches",
    "list_villages",
    "prepare_report",
    "project_detail",
    "rankings",
    "record_assembly",
    "record_evaluation",
    "record_fund_entry",
    "record_material_use",
    "release_tranche",
    "report_detail",
    "return_project",
    "return_report",
    "router",
    "submit_project",
    "submit_report",
    "upload_photo",
    "village_detail",
    "village_fund",
]
