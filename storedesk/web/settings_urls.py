"""Settings pages for admins and owners (everyone else gets a 404)."""

from __future__ import annotations

from django.urls import path

from storedesk.web import views_settings as v

app_name = "settings"
urlpatterns = [
    path("", v.index, name="index"),
]
