"""The help center's workspace endpoints (the composer tool's partials)."""

from __future__ import annotations

from django.urls import path

from storedesk.helpcenter import views_workspace as v

app_name = "helpcenter_tools"
urlpatterns = [
    path("conversations/<int:display_id>/suggestions/", v.suggestions, name="suggestions"),
    path("conversations/<int:display_id>/article-from/<int:message_id>/", v.article_from_reply,
         name="article_from_reply"),
]
