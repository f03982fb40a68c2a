"""Personnel pages: HR officers' under /officer/personnel/, a civil servant's own record at
/me/personnel/."""

from django.urls import path

from gov3.personnel import views

app_name = "personnel"

urlpatterns = [
    path("officer/personnel/", views.organisation, name="organisation"),
    path("officer/personnel/staff/<int:record_id>/", views.staff_record, name="staff_record"),
    path("officer/personnel/orders/<int:order_id>/approve", views.approve, name="approve"),
    path("me/personnel/", views.my_record, name="my_record"),
]
