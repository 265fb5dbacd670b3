from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kb import signals  # noqa: F401 - a change to an article's parts moves its updated_at
        from kb.search import index  # noqa: F401 - signal receivers keep search documents following their articles
