from django.db import migrations


class Migration(migrations.Migration):
    """The timeline now lives in events.Event (rows copied by events 0002)."""

    dependencies = [
        ("inbox", "0004_alter_inbox_channel"),
        ("events", "0002_copy_conversation_events"),
    ]

    operations = [
        migrations.DeleteModel(
            name="ConversationEvent",
        ),
    ]
