"""Store settings pages; included by the settings URLconf (namespace ``settings``)."""

from __future__ import annotations

from django.urls import path

from storedesk.commerce import views_settings as v

urlpatterns = [
    path("stores/", v.stores, name="stores"),
    path("stores/<int:store_id>/", v.store, name="store"),
    path("stores/<int:store_id>/test/", v.store_test, name="store_test"),
    path("stores/<int:store_id>/sync/", v.store_sync, name="store_sync"),
    path("stores/<int:store_id>/policy/", v.store_policy, name="store_policy"),
    path("stores/<int:store_id>/rates/", v.store_rate, name="store_rate"),
    path("stores/<int:store_id>/rates/<int:rate_id>/delete/", v.store_rate_delete,
         name="store_rate_delete"),
]
