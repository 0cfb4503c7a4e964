"""The project's URLs plus one API path that fails with an unhandled exception (500 test)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("an unexpected bug")


urlpatterns = [path("api/v1/boom", boom), *project_urlpatterns]
