from __future__ import annotations

from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "storedesk.importers"
    label = "importers"
    verbose_name = "Imports from other helpdesks"

    def ready(self) -> None:
        from storedesk.importers import timeline  # noqa: F401 - registers the timeline line
