from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "storedesk.connectors"
    label = "connectors"

    def ready(self) -> None:
        # The inbox stores channel kinds; the list of them lives in our registry.
        from storedesk.connectors.registry import choices
        from storedesk.inbox.channels import provide_channels

        provide_channels(choices)
