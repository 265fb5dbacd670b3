from django.urls import path

from kb import api, search_views, views

app_name = "kb"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search_page, name="search"),
    path("search/open/<id:search_id>/<id:number>/", search_views.open_result, name="search_open"),
    path("symptoms/", search_views.symptoms_page, name="symptoms"),
    path("api/search", api.search_api, name="api_search"),
    path("kb/category/<slug:slug>/", views.category, name="category"),
    path("kb/<id:number>/", views.article_by_number, name="article_by_number"),
    path("kb/<id:number>/<slug:slug>/", views.article, name="article"),
    path("kb/<id:number>/<slug:slug>/firmware/", views.set_firmware, name="set_firmware"),
    path("kb/<id:number>/<slug:slug>/vote/", views.vote, name="vote"),
]
