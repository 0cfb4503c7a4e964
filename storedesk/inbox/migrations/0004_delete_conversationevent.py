from django.db import migrations


class Migration(migrations.Migration):
    """The timeline now lives in events.Event (rows copied by events 0002)."""

    dependencies = [
        ("inbox", "0003_mentions"),
        ("events", "0002_copy_conversation_events"),
    ]

    operations = [
        migrations.DeleteModel(
            name="ConversationEvent",
        ),
    ]
