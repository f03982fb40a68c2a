"""School pages: the public finder under /schools/, the citizen's under /me/schools/."""

from django.urls import path

from gov3.schools import officer_views, oneroster_views, staff_views, views

app_name = "schools"

urlpatterns = [
    path("oneroster/v1p2/schools/<str:code>/", oneroster_views.roster_json, name="oneroster_json"),
    path(
        "oneroster/v1p2/schools/<str:code>/export.zip",
        oneroster_views.roster_zip,
        name="oneroster_zip",
    ),
    path("schools/find/", views.finder, name="finder"),
    path("me/schools/", views.my_learners, name="my_learners"),
    path("me/schools/<uuid:public_id>/", views.learner, name="learner"),
    path(
        "me/schools/<uuid:public_id>/certificate/",
        views.issue_certificate,
        name="issue_certificate",
    ),
    path(
        "me/schools/entry/<uuid:public_id>/request/",
        views.entry_request,
        name="entry_request",
    ),
    path("officer/schools/follow-up/", views.officer_follow_up, name="officer_follow_up"),
    path(
        "officer/schools/<str:code>/entrants/<int:year>/",
        views.officer_entrants,
        name="officer_entrants",
    ),
    path("officer/schools/dashboard/", officer_views.dashboard, name="officer_dashboard"),
    path("officer/schools/teachers/", staff_views.teachers_index, name="officer_teachers"),
    path(
        "officer/schools/teachers/new/",
        staff_views.register_teacher,
        name="officer_register_teacher",
    ),
    path(
        "officer/schools/teachers/<uuid:public_id>/",
        staff_views.teacher,
        name="officer_teacher",
    ),
    path(
        "officer/schools/<str:code>/teachers/",
        staff_views.school_teachers,
        name="officer_school_teachers",
    ),
    path("officer/schools/clients/", staff_views.clients, name="officer_clients"),
    path(
        "officer/schools/clients/new/",
        staff_views.register_client,
        name="officer_register_client",
    ),
    path(
        "officer/schools/clients/<int:pk>/disable/",
        staff_views.disable_client,
        name="officer_disable_client",
    ),
    path(
        "officer/schools/<str:code>/year-end/<int:year>/",
        officer_views.year_end,
        name="officer_year_end",
    ),
]

# School work and the guardian service (issue 20 items 4 and 5).
from gov3.schools.work import urls as work_urls  # noqa: E402

urlpatterns += work_urls.urlpatterns

# The OneRoster 1.2 Rostering REST binding (read, paged) for a school's classroom system.
from django.urls import re_path  # noqa: E402

_ONEROSTER = (
    r"^ims/oneroster/rostering/v1p2/"
    r"(?P<collection>orgs|users|courses|classes|enrollments|academicSessions)"
)
urlpatterns += [
    re_path(rf"{_ONEROSTER}$", oneroster_views.rest_collection, name="oneroster_rest_collection"),
    re_path(
        rf"{_ONEROSTER}/(?P<sourced_id>[A-Za-z0-9._-]{{1,100}})$",
        oneroster_views.rest_record,
        name="oneroster_rest_record",
    ),
]
