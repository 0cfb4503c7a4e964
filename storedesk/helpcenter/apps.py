from django.apps import AppConfig


class HelpcenterConfig(AppConfig):
    name = "storedesk.helpcenter"
    label = "helpcenter"
    verbose_name = "Help center"

    def ready(self) -> None:
        # Register the composer tool once the workspace's registry exists (h3's extension
        # points); the module is a no-op before that.
        from storedesk.helpcenter import workspace

        workspace.register()
