"""Document pages: the citizen's under /me/documents/, the officers' under
/officer/documents/, and the public ones (verification, keys, status lists) with no sign-in."""

from django.urls import path

from gov3.documents import views

app_name = "documents"

urlpatterns = [
    path("me/documents/", views.mine, name="mine"),
    path("me/documents/certificates/", views.request_certificate, name="request_certificate"),
    path("me/documents/<uuid:public_id>/", views.detail, name="detail"),
    path("me/documents/<uuid:public_id>/<slug:form>/", views.download, name="download"),
    path("me/cases/<uuid:public_id>/provide/", views.provide, name="provide"),
    path("verify/", views.verify_page, name="verify"),
    path("documents/jwks.json", views.jwks_json, name="jwks"),
    path("documents/bundle.json", views.bundle_json, name="bundle"),
    path(
        "documents/status/<slug:document_type>/<int:number>",
        views.status_list,
        name="status_list",
    ),
    path(".well-known/jwt-vc-issuer", views.issuer_metadata, name="issuer_metadata"),
    # The credential's `vct` (documents.services.vct): SD-JWT VC Type Metadata, no slash.
    path("documents/types/<slug:document_type>", views.credential_type, name="credential_type"),
    path("officer/cases/<uuid:public_id>/photo/", views.case_photo, name="case_photo"),
    path("officer/documents/", views.officer_find, name="officer_find"),
    path("officer/documents/<uuid:public_id>/", views.officer_document, name="officer_document"),
    path("officer/documents/<uuid:public_id>/revoke/", views.revoke, name="revoke"),
]
