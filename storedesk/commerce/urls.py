"""The orders panel's endpoints, under /commerce/ (namespace "commerce")."""

from __future__ import annotations

from django.urls import path

from storedesk.commerce import views

app_name = "commerce"

_c = "conversations/<int:display_id>/"

urlpatterns = [
    path(_c + "orders/", views.panel, name="panel"),
    path(_c + "orders/<int:order_id>/refund/", views.refund, name="refund"),
    path(_c + "orders/<int:order_id>/return/", views.start_return, name="return"),
    path(_c + "orders/<int:order_id>/cancel/", views.cancel, name="cancel"),
    path(_c + "orders/<int:order_id>/address/", views.change_address, name="address"),
    path(_c + "orders/<int:order_id>/lines/", views.edit_lines, name="lines"),
    path(_c + "orders/<int:order_id>/lines/preview/", views.preview_lines, name="lines_preview"),
    path(_c + "approvals/<int:approval_id>/decide/", views.decide, name="decide"),
]
