from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "storedesk.core"
    label = "core"

    def ready(self) -> None:
        from storedesk.core import checks  # noqa: F401 - registers the deploy checks
