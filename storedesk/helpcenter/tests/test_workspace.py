"""Ahmet replies to a shopper: the help-center composer tool suggests the articles that answer
the question (internal procedures included), offers a link or an excerpt to insert, and turns a
good reply into an article draft. Lina (light agent) and Northwind's Bruno see nothing of
conversations they may not open."""

from __future__ import annotations

import re

from django.test import Client

from storedesk.accounts.actor import Actor
from storedesk.helpcenter.models import ArticleTranslation
from storedesk.helpcenter.tests.conftest import write
from storedesk.helpcenter.workspace import register, suggestions_for
from storedesk.inbox.actions import InboundMessage, receive_message, send_reply


def signed_in(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def shopper_asks(personas, text: str, language: str = ""):
    received = receive_message(personas.harbor_email, InboundMessage(
        sender_id="mia@shopper.test", email="mia@shopper.test", text=text,
        subject="My parcel", source_id=f"<{abs(hash(text))}@shopper.test>"))
    conversation = received.conversation
    if language:
        conversation.language = language
        conversation.save(update_fields=["language"])
    return conversation


def test_suggestions_for_the_open_conversation(personas, harbor_help) -> None:
    write(harbor_help, "returns", "en", "Returns and refunds",
          "Send items back within 30 days; we refund your card.")
    write(harbor_help, "lost-parcel", "en", "Procedure: lost parcel",
          "If tracking has not moved for 5 days, open a carrier claim and resend.",
          visibility="internal")
    write(harbor_help, "sizes", "en", "Size guide", "Duvet covers 135x200.")
    conversation = shopper_asks(personas, "Tracking has not moved for a week, is my parcel lost?")
    _, language, hits = suggestions_for(personas.ahmet, conversation)
    assert language == "en" and hits[0].slug == "lost-parcel" and hits[0].internal
    html = signed_in(personas.ahmet).get(
        f"/helpcenter-tools/conversations/{conversation.display_id}/suggestions/").content.decode()
    assert 'data-article="lost-parcel"' in html
    assert 'data-article="sizes"' not in html
    searched = signed_in(personas.ahmet).get(
        f"/helpcenter-tools/conversations/{conversation.display_id}/suggestions/",
        {"hc_q": "refund"}).content.decode()
    links = re.findall(r'data-hc-insert="(http[^"]+)"', searched)
    assert links == ["http://testserver/help/harbor/en/a/returns/"]


def test_suggestions_follow_the_conversation_language(personas, harbor_help) -> None:
    write(harbor_help, "returns", "pl", "Zwroty", "Odeślij towar w ciągu 30 dni.")
    write(harbor_help, "returns", "en", "Returns", "Send it back within 30 days.")
    conversation = shopper_asks(personas, "Chcę odesłać towar", language="pl")
    _, language, hits = suggestions_for(personas.ahmet, conversation)
    assert language == "pl" and [h.title for h in hits] == ["Zwroty"]


def test_create_an_article_from_a_good_reply(personas, harbor_help) -> None:
    conversation = shopper_asks(personas, "Can I wash the linen at 60 degrees?")
    reply = send_reply(conversation, Actor.agent(personas.ahmet),
                       "Wash our linen at 40 °C; it is pre-washed and shrinks at most 3%.")
    client = signed_in(personas.ahmet)
    partial = client.get(
        f"/helpcenter-tools/conversations/{conversation.display_id}/suggestions/").content.decode()
    assert f"/article-from/{reply.pk}/" in partial
    url = f"/helpcenter-tools/conversations/{conversation.display_id}/article-from/{reply.pk}/"
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    assert 'data-testid="article-drafted"' in response.content.decode()
    draft = ArticleTranslation.objects.get(article__help_center=harbor_help)
    assert draft.body.startswith("Wash our linen at 40 °C")
    assert draft.title == "My parcel" and not draft.is_published
    assert draft.article.visibility == "internal"
    assert Client().get(f"/help/harbor/en/a/{draft.article.slug}/").status_code == 404


def test_light_agents_and_other_accounts_get_404(personas, harbor_help) -> None:
    write(harbor_help, "returns", "en", "Returns", "Send it back within 30 days.")
    conversation = shopper_asks(personas, "How do I return this?")
    reply = send_reply(conversation, Actor.agent(personas.ahmet), "Use the returns form.")
    base = f"/helpcenter-tools/conversations/{conversation.display_id}"
    for who in (personas.lina, personas.bruno):  # Lina: not her team's conversation
        client = signed_in(who)
        assert client.get(f"{base}/suggestions/").status_code == 404
        assert client.post(f"{base}/article-from/{reply.pk}/").status_code == 404
    assert suggestions_for(personas.bruno, conversation) == (None, "", [])
    assert ArticleTranslation.objects.count() == 1  # no draft was made


def test_the_composer_shows_the_help_center_tool(personas, harbor_help) -> None:
    """Registered from helpcenter's AppConfig.ready() into the workspace's composer tools."""
    from storedesk.workspace.registry import composer_tools

    assert "helpcenter" in composer_tools
    register()  # idempotent
    conversation = shopper_asks(personas, "Where is my parcel?")
    page = signed_in(personas.ahmet).get(f"/conversations/{conversation.display_id}/")
    html = page.content.decode()
    assert 'data-composer-tool="helpcenter"' in html
    assert f"/helpcenter-tools/conversations/{conversation.display_id}/suggestions/" in html
