from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "storedesk.commerce"
    label = "commerce"

    def ready(self) -> None:
        from storedesk.commerce import macro_variables, workspace

        workspace.register()
        macro_variables.register()
