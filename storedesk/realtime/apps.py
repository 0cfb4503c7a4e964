from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "storedesk.realtime"
    label = "realtime"

    def ready(self) -> None:
        from storedesk.core.oncommit import register_publisher
        from storedesk.realtime import checks  # noqa: F401 - registers the system checks
        from storedesk.realtime.publish import publish, publish_many, recheck_agent_sockets

        # core reaches realtime only through this hook, so core imports no domain app
        register_publisher(publish, recheck_agent_sockets, many=publish_many)
