"""Case pages: the citizen's under /me/cases/, the officers' under /officer/cases/, open data
under /open-data/."""

from django.urls import path

from gov3.cases import views

app_name = "cases"

urlpatterns = [
    path("me/cases/", views.my_cases, name="my_cases"),
    path("me/cases/<uuid:public_id>/", views.my_case, name="my_case"),
    path("me/cases/<uuid:public_id>/reply/", views.reply, name="reply"),
    path("services/<slug:service_id>/apply/", views.apply, name="apply"),
    path("officer/cases/", views.queue, name="queue"),
    path("officer/cases/<uuid:public_id>/", views.officer_case, name="officer_case"),
    path("officer/cases/<uuid:public_id>/decide/", views.decide, name="decide"),
    path("officer/take-up/", views.dashboard, name="dashboard"),
    path("open-data/take-up.json", views.open_take_up_json, name="open_take_up_json"),
    path("open-data/take-up.csv", views.open_take_up_csv, name="open_take_up_csv"),
]
