from django.urls import path

from diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/again/", views.run_again, name="run_again"),
    path("history/<str:domain>/", views.history, name="history"),
]
