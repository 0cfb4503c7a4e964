from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "storedesk.inbox"
    label = "inbox"
