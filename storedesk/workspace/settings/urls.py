"""Settings pages for admins and owners (everyone else gets a 404)."""

from __future__ import annotations

from django.urls import include, path

from storedesk.workspace.settings import views as v
from storedesk.workspace.settings import views_channels as c

app_name = "settings"
urlpatterns = [
    path("", v.index, name="index"),
    path("agents/", v.agents, name="agents"),
    path("agents/invite/", v.agent_invite, name="agent_invite"),
    path("agents/<int:membership_id>/role/", v.agent_role, name="agent_role"),
    path("agents/<int:membership_id>/deactivate/", v.agent_deactivate, name="agent_deactivate"),
    path("invitations/<int:invitation_id>/revoke/", v.invitation_revoke,
         name="invitation_revoke"),
    path("teams/", v.teams, name="teams"),
    path("teams/create/", v.team_create, name="team_create"),
    path("teams/<int:team_id>/members/", v.team_members, name="team_members"),
    path("account/", v.account, name="account"),
    # Inboxes (every channel in the connector registry), keys and inbound provider events.
    path("", include("storedesk.connectors.urls_settings")),
    # Outbound store webhooks (storedesk/webhooks).
    path("", include("storedesk.webhooks.urls_settings")),
    # Stores: platform connection, return policy, refund limits, shipping (storedesk/commerce).
    path("", include("storedesk.commerce.urls_settings")),
    path("macros/", c.macros, name="macros"),
    path("macros/new/", c.macro_create, name="macro_create"),
    path("macros/<int:macro_id>/", c.macro_edit, name="macro_edit"),
    path("macros/<int:macro_id>/delete/", c.macro_delete, name="macro_delete"),
    path("tags/", c.tags, name="tags"),
    path("tags/create/", c.tag_create, name="tag_create"),
    path("tags/<int:tag_id>/", c.tag_update, name="tag_update"),
    path("tags/<int:tag_id>/delete/", c.tag_delete, name="tag_delete"),
]
