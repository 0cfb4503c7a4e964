"""Public endpoints of the connectors: provider webhooks."""

from __future__ import annotations

from django.urls import path

from storedesk.connectors import views

app_name = "connectors"
urlpatterns = [
    path("hooks/<str:kind>/<int:inbox_id>/", views.webhook, name="webhook"),
    path("hooks/store/<str:platform>/<int:store_id>/", views.store_webhook,
         name="store_webhook"),
]
