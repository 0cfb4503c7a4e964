from django.urls import include, path

from config.api import api
from storedesk.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("storedesk.connectors.urls")),  # provider webhooks: /hooks/<kind>/<id>/
    path("", include("storedesk.connectors.webchat.urls")),  # /widget.js, /widget/api/...
    path("demo/", include("storedesk.demo.urls")),  # /demo/shop (only when STOREDESK_DEMO_SHOP)
    path("", include("storedesk.accounts.urls")),  # sign-in, password reset, invitations
    # the assistant: /settings/assistant/... and /assistant/conversations/... (before settings/)
    path("", include("storedesk.assistant.urls")),
    path("settings/", include("storedesk.workspace.settings.urls")),  # admin settings pages
    path("contacts/", include("storedesk.workspace.urls_contacts")),
    path("help/", include("storedesk.helpcenter.urls_public")),  # the public help centers
    path("settings/helpcenter/", include("storedesk.helpcenter.urls_admin")),
    path("settings/workflow/", include("storedesk.workflow.urls_settings")),  # SLAs, hours
    path("helpcenter-tools/", include("storedesk.helpcenter.urls_workspace")),
    path("commerce/", include("storedesk.commerce.urls")),  # the orders panel
    path("followups/", include("storedesk.workflow_ui.urls")),  # send later, reminders
    path("", include("storedesk.workspace.urls")),  # the workspace: / and /conversations/...
]
