"""URLs of school work (teachers, under /school/) and the guardian service (/me/schools/)."""

from django.urls import path

from gov3.schools.work import guardian_views, views

urlpatterns = [
    path("school/classes/", views.my_classes, name="my_classes"),
    path("school/classes/<int:pk>/", views.class_list, name="class_list"),
    path("school/classes/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("school/classes/<int:pk>/assessment/", views.assessment, name="assessment"),
    path("school/classes/<int:pk>/notices/", views.notices, name="notices"),
    path("school/absences/", views.absences, name="absences"),
    path("school/absences/<uuid:public_id>/", views.absence, name="absence"),
    path(
        "school/absences/<uuid:public_id>/evidence/",
        views.absence_evidence,
        name="absence_evidence",
    ),
    path(
        "me/schools/<uuid:public_id>/school-work/",
        guardian_views.school_work,
        name="school_work",
    ),
    path(
        "me/schools/<uuid:public_id>/absence/",
        guardian_views.report_absence,
        name="report_absence",
    ),
    path(
        "me/schools/<uuid:public_id>/consent/<uuid:notice_id>/answer/",
        guardian_views.answer_consent,
        name="answer_consent",
    ),
    path(
        "me/schools/<uuid:public_id>/consent/<uuid:answer_id>/",
        guardian_views.consent_receipt,
        name="consent_receipt",
    ),
]
