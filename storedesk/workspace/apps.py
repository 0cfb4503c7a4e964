from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The agent UI: list, conversation, customer sidebar, contact and settings pages."""

    name = "storedesk.workspace"
    label = "workspace"
