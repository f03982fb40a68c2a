"""Personnel pages: HR officers' under /officer/personnel/, a civil servant's own record at
/me/personnel/."""

from django.urls import path, re_path

from gov3.personnel import analytics_views, evaluation_views, transfer_views, views

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
    path("me/personnel/", views.my_record, name="my_record"),
    path("officer/personnel/analytics/", analytics_views.analytics_page, name="analytics"),
    re_path(
        r"^officer/personnel/analytics\.(?P<fmt>csv|json)$",
        analytics_views.analytics_download,
        name="analytics_download",
    ),
    path("officer/personnel/transfer/", transfer_views.transfer_page, name="transfer"),
    re_path(
        r"^officer/personnel/transfer/(?P<kind>all|units|positions|staff)\.(?P<fmt>csv|json)$",
        transfer_views.export,
        name="export",
    ),
]
