from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "storedesk.workflow"
    label = "workflow"

    def ready(self) -> None:
        from storedesk.inbox.extra_fields import ConversationField, register_conversation_field
        from storedesk.workflow.schemas import SlaOut
        from storedesk.workflow.sla import sla_values

        register_conversation_field(ConversationField(
            name="sla", annotation=SlaOut | None, resolve=sla_values,
            description="The SLA clocks and breaches; null when no SLA policy applies."))
