from __future__ import annotations

from django.urls import path

from storedesk.demo import views

app_name = "demo"
urlpatterns = [path("shop", views.shop, name="shop")]
