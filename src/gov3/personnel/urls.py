"""Personnel pages: HR officers' under /officer/personnel/, a civil servant's own record at
/me/personnel/."""

from django.urls import path

from gov3.personnel import batch_views, certificate_views, evaluation_views, views

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
    path("me/personnel/certificates/", certificate_views.issue, name="issue_certificate"),
    path(
        "me/personnel/certificates/<uuid:public_id>/<str:form>",
        certificate_views.download,
        name="certificate_download",
    ),
]
