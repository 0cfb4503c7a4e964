
from django.db import migrations, models


def notes_are_internal(apps, schema_editor):
    """Private notes were stored as "sent"; they are never delivered."""
    Message = apps.get_model("inbox", "Message")
    Message.objects.filter(private=True, delivery_status="sent").update(delivery_status="internal")


def notes_back_to_sent(apps, schema_editor):
    Message = apps.get_model("inbox", "Message")
    Message.objects.filter(private=True, delivery_status="internal").update(delivery_status="sent")


class Migration(migrations.Migration):

    dependencies = [
        ('inbox', '0005_delete_conversationevent'),
    ]

    operations = [
        migrations.AlterField(
            model_name='message',
            name='delivery_status',
            field=models.CharField(choices=[('received', 'Received'), ('pending', 'Pending'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('read', 'Read'), ('failed', 'Failed'), ('internal', 'Internal note')], default='received', max_length=10),
        ),
        migrations.RunPython(notes_are_internal, notes_back_to_sent),
    ]
