"""Citizen offer pages, under /me/offers/."""

from django.urls import path

from gov3.offers import views

app_name = "offers"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:public_id>/", views.offer_page, name="offer"),
    path("<uuid:public_id>/confirm/", views.confirm, name="confirm"),
    path("<uuid:public_id>/decline/", views.decline, name="decline"),
    path("<uuid:public_id>/wrong/", views.objection, name="objection"),
]
