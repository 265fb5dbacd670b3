from django.urls import path

from logs import views

app_name = "logs"
urlpatterns = [
    path("", views.index, name="index"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/session/", views.session, name="session"),
    path("<id:pk>/attach/", views.attach, name="attach"),
]
