from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "storedesk.workflow"
    label = "workflow"
