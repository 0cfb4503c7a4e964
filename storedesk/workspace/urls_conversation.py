"""The conversation side of the workspace (joined into the "inbox" namespace by urls.py)."""

from __future__ import annotations

from django.urls import path

from storedesk.workspace import views_composer as composer
from storedesk.workspace import views_conversation as views

_c = "conversations/<int:display_id>/"

urlpatterns = [
    path(_c, views.conversation, name="conversation"),
    path(_c + "thread/", views.thread, name="thread"),
    path(_c + "header/", views.header, name="header"),
    path(_c + "macro-preview/", composer.macro_preview, name="macro_preview"),
    path(_c + "read/", views.mark_read, name="read"),
    path(_c + "reply/", composer.reply, name="reply"),
    path(_c + "note/", composer.note, name="note"),
    path(_c + "draft/<str:mode>/", composer.draft, name="draft"),
    path(_c + "preview/<str:mode>/", composer.preview, name="composer_preview"),
    path(_c + "assign/", views.assign, name="assign"),
    path(_c + "status/", views.change_status, name="status"),
    path(_c + "priority/", views.set_priority, name="priority"),
    path(_c + "tags/add/", views.add_tag, name="tag"),
    path(_c + "tags/remove/", views.remove_tag, name="untag"),
    path(_c + "messages/<int:message_id>/retry/", views.retry, name="retry"),
    path(_c + "messages/<int:message_id>/cancel/", composer.cancel_send, name="cancel_send"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("attachments/<int:attachment_id>/image/<str:token>/", views.attachment_image,
         name="attachment_image"),
]
