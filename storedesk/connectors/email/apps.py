from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    """The email connector is also a Django app: its mailbox state and dead letters are rows,
    its IMAP fetch is a Huey task (tasks.py is discovered because the package is an app)."""

    name = "storedesk.connectors.email"
    label = "email_channel"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from storedesk.connectors.email import workspace

        workspace.register()
