"""Contact pages and the customer sidebar's partials."""

from __future__ import annotations

from django.urls import path

from storedesk.workspace import views_contacts as views

app_name = "contacts"
urlpatterns = [
    path("<int:contact_id>/", views.detail, name="detail"),
    path("<int:contact_id>/sidebar/", views.sidebar, name="sidebar"),
    path("<int:contact_id>/edit/", views.edit, name="edit"),
    path("<int:contact_id>/update/", views.update, name="update"),
    path("<int:contact_id>/merge/", views.merge_search, name="merge_search"),
    path("<int:contact_id>/merge/confirm/", views.merge, name="merge"),
]
