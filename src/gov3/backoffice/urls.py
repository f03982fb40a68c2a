urlpatterns: list[object] = []
app_name = "backoffice"
