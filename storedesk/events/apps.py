from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "storedesk.events"
    label = "events"

    def ready(self) -> None:
        from storedesk.events import checks  # noqa: F401 - registers the subscriber-table check
