from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "storedesk.webhooks"
    label = "webhooks"
