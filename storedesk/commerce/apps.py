from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "storedesk.commerce"
    label = "commerce"

    def ready(self) -> None:
        from storedesk.commerce import workspace

        workspace.register()
