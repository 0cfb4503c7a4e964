"""Inbox, integration-key and inbound-event settings pages; included by the settings URLconf
(names live in its ``settings`` namespace: settings:inboxes, settings:inbox_edit, ...)."""

from __future__ import annotations

from django.urls import include, path

from storedesk.connectors import settings_views as v

urlpatterns = [
    path("inboxes/", v.inboxes, name="inboxes"),
    path("inboxes/new/<str:channel>/", v.inbox_create, name="inbox_create"),
    path("inboxes/<int:inbox_id>/", v.inbox_edit, name="inbox_edit"),
    path("inboxes/<int:inbox_id>/deactivate/", v.inbox_deactivate, name="inbox_deactivate"),
    path("inboxes/<int:inbox_id>/rotate-secret/", v.inbox_rotate_secret,
         name="inbox_rotate_secret"),
    path("inboxes/<int:inbox_id>/keys/", v.key_create, name="inbox_key_create"),
    path("inboxes/<int:inbox_id>/keys/<int:key_id>/rotate/", v.key_rotate,
         name="inbox_key_rotate"),
    path("inboxes/<int:inbox_id>/keys/<int:key_id>/revoke/", v.key_revoke,
         name="inbox_key_revoke"),
    path("inbound-events/", v.inbound_events, name="inbound_events"),
    # the email channel's own pages (test connection, dead letters)
    path("", include("storedesk.connectors.email.urls_settings")),
    path("inbound-events/<int:event_id>/retry/", v.inbound_event_retry,
         name="inbound_event_retry"),
]
