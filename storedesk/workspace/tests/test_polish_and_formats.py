"""Catalog and format fixes found on day one: Polish mention notice and plural case, the profile
tab title, one locale-aware date format in the thread."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.timesince import timesince

from storedesk.inbox.models import Conversation
from storedesk.workspace.tests.test_views_conversation import client_for, hx, shopper_writes, url


def polish(membership):
    membership.agent.language = "pl"
    membership.agent.save(update_fields=["language"])
    return client_for(membership)


def test_polish_waiting_time_and_mention_notice(personas):
    with translation.override("pl"):
        hour_ago = timezone.now() - timedelta(hours=1, minutes=3)
        # (timesince joins number and unit with a no-break space)
        waiting = translation.gettext("waiting %(time)s") % {"time": timesince(hour_ago, depth=1)}
        assert waiting.replace("\xa0", " ") == "czeka 1 godzinę"
        one_minute = timesince(timezone.now() - timedelta(minutes=1, seconds=5), depth=1)
        assert one_minute.replace("\xa0", " ") == "1 minutę"
        five_hours = timesince(timezone.now() - timedelta(hours=5, minutes=1), depth=1)
        assert five_hours.replace("\xa0", " ") == "5 godzin"
    client = polish(personas.olivia)
    page = client.get("/").content.decode()
    notice = re.search(r'data-mention-text="([^"]*)"', page)
    assert notice and notice.group(1) == "Wspomniano o Tobie w rozmowie #%(number)s"


def test_the_profile_tab_title_is_plain_text(personas):
    page = client_for(personas.olivia).get("/profile/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and "<" not in title.group(1) and "Your profile" in title.group(1)


def test_thread_times_use_the_agents_locale_format(personas):
    conversation: Conversation = shopper_writes(personas).conversation
    english = hx(client_for(personas.olivia), "get", url("thread", conversation)).content.decode()
    polish_thread = hx(polish(personas.ahmet), "get", url("thread", conversation)).content
    local = timezone.localtime(conversation.messages.get().created_at)
    with translation.override("en"):
        from django.utils.formats import date_format

        assert date_format(local, "SHORT_DATETIME_FORMAT") in english
    with translation.override("pl"):
        assert date_format(local, "SHORT_DATETIME_FORMAT") in polish_thread.decode()
