"""Write commands of the Saemaul programme (`do_*`): each owns its transaction and writes an
audit entry. Grouped by subject in the modules of this package and re-exported here, so
callers write ``from gov3.saemaul.services import do_submit_project``.
"""

from gov3.saemaul.services.assemblies import ResolutionInput, do_record_assembly, quorum_needed
from gov3.saemaul.services.evaluation import (
    ClassificationOutcome,
    EvaluationInput,
    RecordedClass,
    do_classify_villages,
    do_record_classifications,
    do_record_evaluation,
    do_record_evaluations,
)
from gov3.saemaul.services.evidence import do_add_evidence, do_review_evidence
from gov3.saemaul.services.imports import (
    ImportOutcome,
    do_import_projects,
    do_import_results,
    do_import_villages,
)
from gov3.saemaul.services.ledgers import (
    do_adjust_stock,
    do_create_depot,
    do_deliver_materials,
    do_receive_stock,
    do_record_fund_entry,
    do_record_material_use,
    do_release_tranche,
    do_transfer_stock,
)
from gov3.saemaul.services.projects import (
    BoqLine,
    do_approve_project,
    do_check_project,
    do_complete_project,
    do_create_project,
    do_return_project,
    do_submit_project,
    do_update_project,
)
from gov3.saemaul.services.reports import (
    do_approve_report,
    do_edit_report,
    do_prepare_report,
    do_return_report,
    do_submit_report,
)
from gov3.saemaul.services.rounds import (
    AllocationOutcome,
    LoadSummary,
    do_allocate_round,
    do_load_programme,
    do_set_round_status,
)
from gov3.saemaul.services.villages import (
    RoleScope,
    do_add_body_member,
    do_appoint_leader,
    do_assign_role,
    do_end_body_membership,
    do_end_leadership,
    do_record_annual_figures,
    do_register_village,
    do_set_infrastructure,
    do_update_village,
)

__all__ = [
    "AllocationOutcome",
    "BoqLine",
    "ClassificationOutcome",
    "EvaluationInput",
    "ImportOutcome",
    "LoadSummary",
    "RecordedClass",
    "ResolutionInput",
    "RoleScope",
    "do_add_body_member",
    "do_add_evidence",
    "do_adjust_stock",
    "do_allocate_round",
    "do_appoint_leader",
    "do_approve_project",
    "do_approve_report",
    "do_assign_role",
    "do_check_project",
    "do_classify_villages",
    "do_complete_project",
    "do_create_depot",
    "do_create_project",
    "do_deliver_materials",
    "do_edit_report",
    "do_end_body_membership",
    "do_end_leadership",
    "do_import_projects",
    "do_import_results",
    "do_import_villages",
    "do_load_programme",
    "do_prepare_report",
    "do_receive_stock",
    "do_record_annual_figures",
    "do_record_assembly",
    "do_record_classifications",
    "do_record_evaluation",
    "do_record_evaluations",
    "do_record_fund_entry",
    "do_record_material_use",
    "do_register_village",
    "do_release_tranche",
    "do_return_project",
    "do_return_report",
    "do_review_evidence",
    "do_set_infrastructure",
    "do_set_round_status",
    "do_submit_project",
    "do_submit_report",
    "do_transfer_stock",
    "do_update_project",
    "do_update_village",
    "quorum_needed",
]
