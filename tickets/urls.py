from django.urls import path

from tickets.views import actions, detail, lists, metrics, new, runs

app_name = "tickets"
urlpatterns = [
    path("", lists.ticket_list, name="list"),
    path("new/", new.new_ticket, name="new"),
    path("metrics/", metrics.metrics_page, name="metrics"),
    path("attach-run/", runs.attach_from_run, name="attach_from_run"),
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/comment/", actions.comment, name="comment"),
    path("<int:pk>/update/", actions.update, name="update"),
    path("<int:pk>/link/", actions.link, name="link"),
    path("<int:pk>/links/<int:link_pk>/unlink/", actions.unlink, name="unlink"),
    path("<int:pk>/runs/", detail.live_runs, name="runs"),
    path("<int:pk>/runs/start/", runs.run_diagnostics, name="run"),
    path("<int:pk>/runs/attach/", runs.attach_run, name="attach"),
]
