from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "storedesk.realtime"
    label = "realtime"

    def ready(self) -> None:
        from storedesk.realtime import checks  # noqa: F401 - registers the system checks
