from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Site-wide concerns: security audit log, rate limits, health, request logs."""

    name = "portal"
    verbose_name = "Portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal import audit, login_limit

        audit.connect_signals()
        login_limit.connect_signals()
