from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "storedesk.outbox"
    label = "outbox"
    verbose_name = "Outbox"
