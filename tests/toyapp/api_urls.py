from django.http import JsonResponse
from django.urls import path

urlpatterns = [path("toys/", lambda request: JsonResponse({"toys": []}), name="toy-list")]
