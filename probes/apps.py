from django.apps import AppConfig


class ProbesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "probes"
    verbose_name = "Probes"

    def ready(self) -> None:
        from diagnostics import vantages
        from probes import panels
        from probes.planner import PLANNER

        vantages.register(PLANNER)
        panels.register()
