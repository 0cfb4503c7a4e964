from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "storedesk.assistant"
    label = "assistant"
    verbose_name = "Assistant"

    def ready(self) -> None:
        # The sidebar panel, the suggestion composer tool and the timeline lines of the
        # assistant's own event kinds (storedesk/workspace/registry.py).
        from storedesk.assistant import workspace

        workspace.register()
