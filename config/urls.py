from django.urls import include, path

from config.api import api
from storedesk.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("storedesk.web.urls")),
    path("", include("storedesk.accounts.urls")),
    path("", include("storedesk.inbox.urls")),
]
