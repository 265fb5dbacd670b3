from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets import panels, signals  # noqa: F401 - signals: cached linked-tickets blocks follow changes

        panels.register()  # its blocks on the KB's and diagnostics' pages and in the navigation (portal.panels)
