from django.urls import path

from probes import api

app_name = "probes_api"
urlpatterns = [
    path("enrol", api.enrol, name="enrol"),
    path("poll", api.poll, name="poll"),
    path("assignments/<id:pk>/results", api.results, name="results"),
]
