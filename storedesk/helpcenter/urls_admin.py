"""Help-center settings pages (admins and owners): /settings/helpcenter/..."""

from __future__ import annotations

from django.urls import path

from storedesk.helpcenter import views_admin as v

app_name = "helpcenter_admin"
urlpatterns = [
    path("", v.index, name="index"),
    path("create/", v.create, name="create"),
    path("<int:hc_id>/", v.overview, name="overview"),
    path("<int:hc_id>/settings/", v.settings_save, name="settings"),
    path("<int:hc_id>/categories/", v.category_save, name="category_save"),
    path("<int:hc_id>/images/", v.image_upload, name="image_upload"),
    path("<int:hc_id>/articles/new/", v.article_new, name="article_new"),
    path("articles/<int:article_id>/delete/", v.article_delete, name="article_delete"),
    path("articles/<int:article_id>/<str:lang>/", v.article_edit, name="article"),
    path("revisions/<int:revision_id>/restore/", v.revision_restore, name="revision_restore"),
]
