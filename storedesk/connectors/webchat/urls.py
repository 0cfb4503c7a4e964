"""The widget's public URLs (mounted at the site root by config/urls.py)."""

from __future__ import annotations

from django.urls import path

from storedesk.connectors.webchat import views

app_name = "webchat"
urlpatterns = [
    path("widget.js", views.widget_js, name="widget_js"),
    path("widget/api/session", views.session, name="session"),
    path("widget/api/messages", views.messages, name="messages"),
    path("widget/api/uploads", views.upload, name="upload"),
    path("widget/api/email", views.leave_email, name="email"),
    path("widget/api/articles", views.articles, name="articles"),
    path("widget/api/orders", views.orders, name="orders"),
    path("widget/api/attachments/<int:attachment_id>", views.attachment, name="attachment"),
]
