app_name = "personnel"

urlpatterns: list = []
