"""Officer URLs."""

from django.urls import path

from gov3.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("login/", views.OfficerSignInView.as_view(), name="login"),
    path("", views.search, name="search"),
    path("people/<uuid:public_id>/", views.person, name="person"),
    path("people/<uuid:public_id>/eligibility/", views.eligibility, name="eligibility"),
    path("births/new/", views.register_birth, name="register_birth"),
    path("births/<uuid:public_id>/", views.birth_registered, name="birth_registered"),
]
