from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "storedesk.realtime"
    label = "realtime"
