from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The agent UI: list, conversation, customer sidebar, contact and settings pages."""

    name = "storedesk.workspace"
    label = "workspace"

    def ready(self) -> None:
        from storedesk.workspace import builtin, timeline  # noqa: F401  (registers renderers)

        builtin.register()
