"""Routes of the inbox list pane (UI-LIST); joined into the "inbox" namespace by urls.py."""

from django.urls import path

from storedesk.workspace import views_list, views_signatures

urlpatterns = [
    path("", views_list.home, name="home"),
    path("inbox/", views_list.conversation_list, name="list"),
    path("inbox/rows/<int:pk>/", views_list.conversation_row, name="row"),
    path("inbox/counts/", views_list.counts, name="counts"),
    path("inbox/bulk", views_list.bulk, name="bulk"),
    path("inbox/bulk/undo", views_list.bulk_undo, name="bulk_undo"),
    path("signatures/", views_signatures.signatures, name="signatures"),
]
