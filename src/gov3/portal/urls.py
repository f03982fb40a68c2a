urlpatterns: list[object] = []
app_name = "portal"
