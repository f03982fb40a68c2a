"""Citizen portal URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from gov3.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.me, name="me"),
    path("me/people/<uuid:public_id>/", views.child_record, name="child_record"),
    path("me/access-log/", views.access_log, name="access_log"),
    path("services/", views.services, name="services"),
    path("services/<slug:service_id>/", views.service, name="service"),
    path("services/<slug:service_id>/check/", views.check_eligibility, name="check_eligibility"),
]
