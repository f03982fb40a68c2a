"""Identity URLs: the national digital ID sign-in and passkeys."""

from django.urls import path

from gov3.identity import officer_passkey_views, officer_self_service, passkey_views, views

app_name = "identity"

urlpatterns = [
    path("national-id/start/", views.national_id_start, name="national_id_start"),
    path("national-id/callback/", views.national_id_callback, name="national_id_callback"),
    path("national-id/logout/", views.national_id_logout, name="national_id_logout"),
    path("national-id/jwks.json", views.client_jwks, name="client_jwks"),
    path("passkeys/", passkey_views.passkey_list, name="passkeys"),
    path(
        "passkeys/new/options/",
        passkey_views.registration_options,
        name="passkey_registration_options",
    ),
    path("passkeys/new/", passkey_views.register, name="passkey_register"),
    path("passkeys/<int:passkey_id>/remove/", passkey_views.remove, name="passkey_remove"),
    path("passkeys/sign-in/options/", passkey_views.sign_in_options, name="passkey_options"),
    path("passkeys/sign-in/", passkey_views.sign_in, name="passkey_sign_in"),
    path("officer/passkeys/", officer_passkey_views.officer_passkeys, name="officer_passkeys"),
    path(
        "officer/passkeys/new/options/",
        officer_passkey_views.officer_registration_options,
        name="officer_passkey_registration_options",
    ),
    path(
        "officer/passkeys/new/",
        officer_passkey_views.officer_register,
        name="officer_passkey_register",
    ),
    path("officer/sign-in/", officer_passkey_views.officer_sign_in, name="officer_sign_in"),
    path(
        "officer/sign-in/options/",
        officer_passkey_views.officer_sign_in_options,
        name="officer_passkey_options",
    ),
    path(
        "officer/sign-in/passkey/",
        officer_passkey_views.officer_sign_in_verify,
        name="officer_passkey_verify",
    ),
    path(
        "officer/recovery-codes/",
        officer_self_service.recovery_codes,
        name="officer_recovery_codes",
    ),
    path("officer/sessions/", officer_self_service.sessions, name="officer_sessions"),
    path(
        "officer/sessions/<str:session_id>/end/",
        officer_self_service.end_session,
        name="officer_end_session",
    ),
    path("officer/enrol/<str:secret>/", officer_self_service.enrol, name="officer_enrol"),
    path(
        "officer/enrol/<str:secret>/passkey/options/",
        officer_passkey_views.enrol_options,
        name="officer_enrol_passkey_options",
    ),
    path(
        "officer/enrol/<str:secret>/passkey/",
        officer_passkey_views.enrol,
        name="officer_enrol_passkey",
    ),
]
