"""The public help centers: /help/<slug>/..."""

from __future__ import annotations

from django.urls import path

from storedesk.helpcenter import views_public as v

app_name = "helpcenter"
urlpatterns = [
    path("<slug:hc>/", v.root, name="root"),
    path("<slug:hc>/sitemap.xml", v.sitemap, name="sitemap"),
    path("<slug:hc>/images/<str:key>", v.image, name="image"),
    path("<slug:hc>/<str:lang>/", v.home, name="home"),
    path("<slug:hc>/<str:lang>/search/", v.search_page, name="search"),
    path("<slug:hc>/<str:lang>/c/<slug:category>/", v.category, name="category"),
    path("<slug:hc>/<str:lang>/a/<slug:article>/", v.article, name="article"),
    path("<slug:hc>/<str:lang>/a/<slug:article>/vote/", v.vote, name="vote"),
]
