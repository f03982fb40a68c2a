"""Identity URLs: the national digital ID sign-in and passkeys."""

from django.urls import path

from gov3.identity import views

app_name = "identity"

urlpatterns = [
    path("national-id/start/", views.national_id_start, name="national_id_start"),
    path("national-id/callback/", views.national_id_callback, name="national_id_callback"),
    path("national-id/logout/", views.national_id_logout, name="national_id_logout"),
    path("national-id/jwks.json", views.client_jwks, name="client_jwks"),
]
