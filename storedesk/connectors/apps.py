from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "storedesk.connectors"
    label = "connectors"
