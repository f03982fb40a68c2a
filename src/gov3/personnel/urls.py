"""Personnel pages: HR officers' under /officer/personnel/, a civil servant's own record at
/me/personnel/."""

from django.urls import path, re_path

from gov3.personnel import (
    analytics_views,
    batch_views,
    certificate_views,
    evaluation_views,
    open_position_views,
    record_views,
    recruitment_views,
    reorganisation_views,
    self_service_views,
    transfer_views,
    views,
)

app_name = "personnel"

urlpatterns = [
    path("officer/personnel/", views.organisation, name="organisation"),
    path("officer/personnel/staff/<int:record_id>/", views.staff_record, name="staff_record"),
    path("officer/personnel/orders/<int:order_id>/approve", views.approve, name="approve"),
    path(
        "officer/personnel/evaluation/",
        evaluation_views.periods,
        name="evaluation_periods",
    ),
    path(
        "officer/personnel/evaluation/<int:period_id>/",
        evaluation_views.rating_sheet,
        name="rating_sheet",
    ),
    path(
        "officer/personnel/evaluation/<int:period_id>/calibration/",
        evaluation_views.calibration,
        name="calibration",
    ),
    path(
        "officer/personnel/evaluation/ratings/<int:rating_id>/",
        evaluation_views.rating_detail,
        name="rating_detail",
    ),
    path("officer/personnel/batches/", batch_views.batches, name="batches"),
    path("officer/personnel/batches/<int:batch_id>/", batch_views.batch, name="batch"),
    path(
        "officer/personnel/batches/<int:batch_id>/approve",
        batch_views.approve_batch,
        name="approve_batch",
    ),
    path("me/personnel/", views.my_record, name="my_record"),
    # Open positions (item 8) and self-service requests (item 9).
    path(
        "officer/personnel/open-positions/",
        open_position_views.open_positions,
        name="open_positions",
    ),
    path(
        "officer/personnel/open-positions/<int:posting_id>/",
        open_position_views.posting_admin,
        name="posting_admin",
    ),
    path("open-positions/", open_position_views.public_postings, name="public_postings"),
    path(
        "open-positions/<int:posting_id>/",
        open_position_views.public_posting,
        name="public_posting",
    ),
    path("me/personnel/requests/", self_service_views.my_requests, name="my_requests"),
    path(
        "me/personnel/requests/<int:request_id>/cancel",
        self_service_views.cancel_request,
        name="cancel_request",
    ),
    path("officer/personnel/approvals/", self_service_views.approvals, name="approvals"),
    path(
        "officer/personnel/approvals/<int:request_id>/",
        self_service_views.decide,
        name="decide",
    ),
    # Recruitment (issue 18 item 4)
    path(
        "officer/personnel/recruitment/",
        recruitment_views.notices,
        name="recruitment_notices",
    ),
    path(
        "officer/personnel/recruitment/<int:notice_id>/",
        recruitment_views.notice_detail,
        name="recruitment_notice",
    ),
    path(
        "officer/personnel/recruitment/<int:notice_id>/merit/",
        recruitment_views.merit,
        name="recruitment_merit",
    ),
    path("me/recruitment/", recruitment_views.citizen_exams, name="citizen_exams"),
    path("me/personnel/certificates/", certificate_views.issue, name="issue_certificate"),
    path(
        "me/personnel/certificates/<uuid:public_id>/<str:form>",
        certificate_views.download,
        name="certificate_download",
    ),
    path("officer/personnel/analytics/", analytics_views.analytics_page, name="analytics"),
    re_path(
        r"^officer/personnel/analytics\.(?P<fmt>csv|json)$",
        analytics_views.analytics_download,
        name="analytics_download",
    ),
    path("officer/personnel/transfer/", transfer_views.transfer_page, name="transfer"),
    re_path(
        r"^officer/personnel/transfer/(?P<kind>all|units|positions|staff|lineage|moves)\.(?P<fmt>csv|json)$",
        transfer_views.export,
        name="export",
    ),
    # Record details (issue 18 item 2)
    path(
        "officer/personnel/staff/<int:record_id>/details/",
        record_views.add_detail,
        name="add_detail",
    ),
    path(
        "officer/personnel/details/<int:detail_id>/end",
        record_views.end_detail,
        name="end_detail",
    ),
    # Reorganisations (issue 18 item 1)
    path(
        "officer/personnel/reorganisations/",
        reorganisation_views.reorganisations,
        name="reorganisations",
    ),
    path(
        "officer/personnel/reorganisations/<int:act_id>/approve",
        reorganisation_views.approve_reorganisation,
        name="approve_reorganisation",
    ),
    path("officer/personnel/units/<int:unit_id>/", reorganisation_views.unit_page, name="unit"),
]
