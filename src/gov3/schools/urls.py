"""School pages: the public finder under /schools/, the citizen's under /me/schools/."""

from django.urls import path

from gov3.schools import views

app_name = "schools"

urlpatterns = [
    path("schools/find/", views.finder, name="finder"),
    path("me/schools/", views.my_learners, name="my_learners"),
    path("me/schools/<uuid:public_id>/", views.learner, name="learner"),
]
