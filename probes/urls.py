from django.urls import path

from probes import views

app_name = "probes"
urlpatterns = [
    path("", views.probe_list, name="list"),
    path("enrol/", views.enrol, name="enrol"),
    path("<id:pk>/revoke/", views.revoke, name="revoke"),
    path("mta-probe.pyz", views.download, name="download"),
]
