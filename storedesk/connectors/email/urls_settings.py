"""Email settings pages, in the settings URL namespace (included by connectors/urls_settings)."""

from __future__ import annotations

from django.urls import path

from storedesk.connectors.email import views as v

urlpatterns = [
    path("inboxes/<int:inbox_id>/email/test/", v.test_connection,
         name="email_test_connection"),
    path("inboxes/<int:inbox_id>/email/oauth/", v.oauth_start, name="email_oauth_start"),
    path("email/oauth/callback/", v.oauth_callback, name="email_oauth_callback"),
    path("email/dead-letters/", v.dead_letter_list, name="email_dead_letters"),
    path("email/dead-letters/<int:letter_id>/retry/", v.dead_letter_retry,
         name="email_dead_letter_retry"),
    path("email/dead-letters/<int:letter_id>/delete/", v.dead_letter_delete,
         name="email_dead_letter_delete"),
    path("email/dead-letters/<int:letter_id>/raw/", v.dead_letter_download,
         name="email_dead_letter_raw"),
]
