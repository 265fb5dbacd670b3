"""/report/ (included at the site root): the symptom form."""

from django.urls import path

from tickets.views import report

app_name = "report"
urlpatterns = [
    path("", report.report, name="form"),
    path("suggestions/", report.suggestions, name="suggestions"),
    path("solved/", report.solved, name="solved"),
]
