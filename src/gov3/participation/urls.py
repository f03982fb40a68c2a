"""Participation pages: the citizen's under /me/, public ones under /participation/, the
officers' under /officer/participation/."""

from django.urls import path

from gov3.participation import officer_views, views

app_name = "participation"

urlpatterns = [
    path("me/petitions/", views.petitions, name="petitions"),
    path("me/petitions/<uuid:public_id>/", views.petition, name="petition"),
    path("me/disclosure/", views.disclosure, name="disclosure"),
    path("me/disclosure/<uuid:public_id>/", views.disclosure_request, name="disclosure_request"),
    path("participation/petitions/", views.public_petitions, name="public_petitions"),
    path(
        "participation/petitions/<uuid:public_id>/", views.public_petition, name="public_petition"
    ),
    path("participation/consultations/", views.consultations, name="consultations"),
    path("participation/figures/", views.figures, name="figures"),
    path("participation/publications/", views.publications, name="publications"),
    path("participation/consultations/<uuid:public_id>/", views.consultation, name="consultation"),
    path("officer/participation/petitions/", officer_views.queue, name="officer_queue"),
    path(
        "officer/participation/petitions/<uuid:public_id>/",
        officer_views.petition,
        name="officer_petition",
    ),
    path(
        "officer/participation/petitions/<uuid:public_id>/attachments/<int:number>",
        officer_views.petition_attachment,
        name="officer_petition_attachment",
    ),
    path(
        "officer/participation/public/<uuid:public_id>/",
        officer_views.public_petition,
        name="officer_public_petition",
    ),
    path(
        "officer/participation/disclosure/",
        officer_views.disclosure_queue,
        name="officer_disclosure_queue",
    ),
    path(
        "officer/participation/disclosure/<uuid:public_id>/",
        officer_views.disclosure_request,
        name="officer_disclosure",
    ),
    path(
        "officer/participation/consultations/",
        officer_views.consultations,
        name="officer_consultations",
    ),
    path(
        "officer/participation/consultations/<uuid:public_id>/",
        officer_views.consultation,
        name="officer_consultation",
    ),
]
