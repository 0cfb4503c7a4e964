"""Follow-up controls of the conversation view: /followups/<display_id>/..."""

from __future__ import annotations

from django.urls import path

from storedesk.workflow_ui import views as v

app_name = "followups"
urlpatterns = [
    path("<int:display_id>/schedule/", v.schedule, name="schedule"),
    path("<int:display_id>/scheduled/<int:scheduled_id>/cancel/", v.cancel, name="cancel"),
    path("<int:display_id>/scheduled/<int:scheduled_id>/send/", v.send_now, name="send_now"),
    path("<int:display_id>/scheduled/<int:scheduled_id>/edit/", v.edit, name="edit"),
    path("<int:display_id>/remind/", v.remind, name="remind"),
    path("<int:display_id>/reminders/<int:reminder_id>/cancel/", v.cancel_reminder,
         name="cancel_reminder"),
]
