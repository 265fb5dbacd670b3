from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from diagnostics import panels, system_checks  # noqa: F401 - registers the system checks

        panels.register()
