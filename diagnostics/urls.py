from django.urls import path

from diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<id:pk>/", views.run_detail, name="run"),
    path("runs/<id:pk>/again/", views.run_again, name="run_again"),
    path("history/<str:domain>/", views.history, name="history"),
]
