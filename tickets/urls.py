from django.urls import path

from tickets.views import actions, detail, links, lists, metrics, new, runs

app_name = "tickets"
urlpatterns = [
    path("", lists.ticket_list, name="list"),
    path("new/", new.new_ticket, name="new"),
    path("metrics/", metrics.metrics_page, name="metrics"),
    path("link-article/", links.link_from_article, name="link_from_article"),
    path("attach-run/", runs.attach_from_run, name="attach_from_run"),
    path("<id:pk>/", detail.detail, name="detail"),
    path("<id:pk>/comment/", actions.comment, name="comment"),
    path("<id:pk>/update/", actions.update, name="update"),
    path("<id:pk>/link/", actions.link, name="link"),
    path("<id:pk>/links/<id:link_pk>/unlink/", actions.unlink, name="unlink"),
    path("<id:pk>/runs/", detail.live_runs, name="runs"),
    path("<id:pk>/runs/start/", runs.run_diagnostics, name="run"),
    path("<id:pk>/runs/attach/", runs.attach_run, name="attach"),
]
