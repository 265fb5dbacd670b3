from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs"
    verbose_name = "Log analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from logs import panels

        panels.register()  # the navigation link and the block on ticket pages (portal.panels)
