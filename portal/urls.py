from django.apps import apps
from django.contrib import admin
from django.urls import include, path, register_converter

from portal import login_limit
from portal.accounts import password_reset
from portal.health import healthz
from portal.numbers import IdConverter

register_converter(IdConverter, "id")  # before the includes below: every id in a URL is parsed one way

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/login/", login_limit.login, name="login"),  # Django's, with a per-address failure limit
    path("accounts/", include("django.contrib.auth.urls")),
    path("diagnostics/", include("diagnostics.urls")),
    path("", include("kb.urls")),
]
if apps.is_installed("probes"):  # diagnostics works without it: every check then runs on the portal
    urlpatterns[-1:-1] = [path("probes/", include("probes.urls")), path("api/probes/", include("probes.api_urls"))]
if apps.is_installed("tickets"):  # the KB and diagnostics work without it (docs/architecture.md, "Boundaries")
    urlpatterns[-1:-1] = [path("tickets/", include("tickets.urls")), path("report/", include("tickets.report_urls"))]
if apps.is_installed("logs"):
    urlpatterns[-1:-1] = [path("logs/", include("logs.urls"))]
