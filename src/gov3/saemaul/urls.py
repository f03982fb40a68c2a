"""Saemaul pages, under /saemaul/."""

from django.urls import path

from gov3.saemaul import views

app_name = "saemaul"

urlpatterns = [
    path("", views.home, name="home"),
    path("villages/", views.villages, name="villages"),
    path("villages/<str:code>/", views.village, name="village"),
    path("villages/<str:code>/assemblies/new/", views.assembly_new, name="assembly_new"),
    path("villages/<str:code>/assemblies/<int:pk>/", views.assembly, name="assembly"),
    path("villages/<str:code>/projects/new/", views.project_new, name="project_new"),
    path("villages/<str:code>/deliveries/new/", views.delivery_new, name="delivery_new"),
    path("villages/<str:code>/material-use/new/", views.material_use_new, name="material_use_new"),
    path("villages/<str:code>/fund/", views.fund, name="fund"),
    path("projects/<uuid:public_id>/", views.project, name="project"),
    path("projects/<uuid:public_id>/edit/", views.project_edit, name="project_edit"),
    path("projects/<uuid:public_id>/submit/", views.project_submit, name="project_submit"),
    path("projects/<uuid:public_id>/check/", views.project_check, name="project_check"),
    path("projects/<uuid:public_id>/return/", views.project_return, name="project_return"),
    path("projects/<uuid:public_id>/approve/", views.project_approve, name="project_approve"),
    path("projects/<uuid:public_id>/photos/new/", views.photo_new, name="photo_new"),
    path(
        "projects/<uuid:public_id>/tranches/<int:number>/release/",
        views.tranche_release,
        name="tranche_release",
    ),
    path("photos/<uuid:public_id>/", views.photo_file, name="photo_file"),
    path("photos/<uuid:public_id>/review/", views.photo_review, name="photo_review"),
    path("queue/", views.queue, name="queue"),
    path("materials/", views.materials, name="materials"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("results/", views.results, name="results"),
    path("rounds/<str:code>/evaluations/", views.evaluations, name="evaluations"),
    path(
        "rounds/<str:code>/evaluations/<str:village_code>/",
        views.evaluation_edit,
        name="evaluation_edit",
    ),
    path("classify/", views.classify, name="classify"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reference/", views.reference, name="reference"),
]
