"""The assistant's pages (namespace "assistant"), included at the site root:
/settings/assistant/... (admins) and /assistant/conversations/<n>/... (the workspace's
suggestion, hand-back and intent label)."""

from __future__ import annotations

from django.urls import path

from storedesk.assistant import views

app_name = "assistant"

_s = "settings/assistant/"
_c = "assistant/conversations/<int:display_id>/"

urlpatterns = [
    path(_s, views.index, name="index"),
    path(_s + "inboxes/<int:inbox_id>/mode/", views.inbox_mode, name="inbox_mode"),
    path(_s + "permissions/", views.permissions, name="permissions"),
    path(_s + "replies/<str:language>/", views.reply_texts, name="replies"),
    path(_s + "retrain/", views.retrain, name="retrain"),
    path(_s + "shipped-model/", views.use_shipped, name="use_shipped"),
    path(_c + "suggestions/<int:suggestion_id>/", views.send_suggestion, name="suggestion"),
    path(_c + "resume/", views.resume, name="resume"),
    path(_c + "intent/", views.label, name="label"),
]
