"""Webhook settings pages; included by the settings URLconf (namespace ``settings``)."""

from __future__ import annotations

from django.urls import path

from storedesk.webhooks import views as v

urlpatterns = [
    path("webhooks/", v.webhooks, name="webhooks"),
    path("webhooks/<int:webhook_id>/", v.webhook, name="webhook"),
    path("webhooks/<int:webhook_id>/rotate/", v.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:webhook_id>/delete/", v.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
         v.webhook_redeliver, name="webhook_redeliver"),
]
