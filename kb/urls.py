from django.urls import path

from kb import views

app_name = "kb"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("kb/category/<slug:slug>/", views.category, name="category"),
    path("kb/<int:number>/", views.article_by_number, name="article_by_number"),
    path("kb/<int:number>/<slug:slug>/", views.article, name="article"),
    path("kb/<int:number>/<slug:slug>/firmware/", views.set_firmware, name="set_firmware"),
]
