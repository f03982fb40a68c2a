"""Saemaul pages for each programme role: village leaders, eup/myeon, county, province, centre.

Thin views: parse the form, find the record within the user's jurisdiction (anything outside
it is "not found"), call one ``do_*`` command, show the result. A refused command changes
nothing; its message is shown as an error.
"""

from __future__ import annotations

from gov3.saemaul.views.access import PAGE_SIZE, View, saemaul_view
from gov3.saemaul.views.assemblies import assembly, assembly_new
from gov3.saemaul.views.dashboards import dashboard, reference, results
from gov3.saemaul.views.evaluation import classify, evaluation_edit, evaluations
from gov3.saemaul.views.evidence import photo_file, photo_new, photo_review
from gov3.saemaul.views.ledgers import PAYABLE, delivery_new, fund, material_use_new, materials
from gov3.saemaul.views.officer_queue import queue
from gov3.saemaul.views.projects import (
    PROJECT_FIELDS,
    project,
    project_approve,
    project_check,
    project_edit,
    project_new,
    project_return,
    project_submit,
    tranche_release,
)
from gov3.saemaul.views.reporting import (
    FIGURE_LABELS,
    report,
    report_approve,
    report_return,
    report_submit,
    reports,
)
from gov3.saemaul.views.village_pages import home, village, villages

__all__ = [
    "FIGURE_LABELS",
    "PAGE_SIZE",
    "PAYABLE",
    "PROJECT_FIELDS",
    "View",
    "assembly",
    "assembly_new",
    "classify",
    "dashboard",
    "delivery_new",
    "evaluation_edit",
    "evaluations",
    "fund",
    "home",
    "material_use_new",
    "materials",
    "photo_file",
    "photo_new",
    "photo_review",
    "project",
    "project_approve",
    "project_check",
    "project_edit",
    "project_new",
    "project_return",
    "project_submit",
    "queue",
    "reference",
    "report",
    "report_approve",
    "report_return",
    "report_submit",
    "reports",
    "results",
    "saemaul_view",
    "tranche_release",
    "village",
    "villages",
]
