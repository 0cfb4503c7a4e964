"""The help center in a real browser (Chromium, the ASGI app under uvicorn), on the demo content.

A shopper browses and searches in each of the five languages, asking the way shoppers ask (not
the article titles), switches language on an article, and votes with a comment; an agent
replying to a shopper gets the right article suggested in the composer and inserts its link.
"""

from __future__ import annotations

import re

import pytest

from storedesk.helpcenter.demo import load_demo_help_center
from storedesk.helpcenter.models import Article, ArticleVote
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.testing.browser import AsgiServer
from storedesk.workspace.tests.test_browser_workspace import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (language, how a shopper asks, the article that answers it, a word of its title)
ASKS = [
    ("en", "how do I send something back and get my money", "returns-and-refunds", "Return"),
    ("pl", "jak odeslac towar i odzyskac pieniadze", "returns-and-refunds", "Zwroty"),
    ("tr", "kargo ücreti ne kadar", "delivery-times-and-costs", "Teslimat"),
    ("id", "bisa bayar pakai gopay", "payment-methods", "Metode pembayaran"),
    ("th", "ลืมรหัสผ่านทำยังไง", "your-account", "รหัสผ่าน"),
]


@pytest.fixture
def demo_help(personas):
    help_center, report = load_demo_help_center(personas.harbor_store)
    assert report.errors == []
    return help_center


@pytest.mark.parametrize(("language", "question", "slug", "title_word"), ASKS)
def test_a_shopper_finds_the_answer_in_their_language(
    demo_help, asgi_server: AsgiServer, browser, language, question, slug, title_word
):
    from playwright.sync_api import expect

    context = browser.new_context(locale=language)
    page = context.new_page()
    # the home page in the shopper's language, with its categories
    page.goto(f"{asgi_server.base}/help/{demo_help.slug}/{language}/")
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator(f".hc-langs a[hreflang='{language}']")).to_have_attribute(
        "aria-current", "true")
    # when they type their question into the search box and press Enter
    page.fill("input[name=q]", question)
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(rf"/help/{demo_help.slug}/{language}/search/\?q="))
    # then the article that answers it comes first, and opens
    first = page.locator(f"main a[href*='/{language}/a/']").first
    expect(first).to_have_attribute("href", re.compile(rf"/{language}/a/{slug}/$"))
    first.click()
    page.wait_for_url(re.compile(rf"/{language}/a/{slug}/$"))
    expect(page.locator("h1")).to_contain_text(title_word)
    context.close()


def test_language_switcher_and_a_helpful_vote(demo_help, asgi_server: AsgiServer, browser):
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{asgi_server.base}/help/{demo_help.slug}/en/a/returns-and-refunds/")
    # every other language of the article is linked, hreflang and switcher alike
    alternates = page.locator("link[rel=alternate][hreflang]")
    codes = {alternates.nth(i).get_attribute("hreflang") for i in range(alternates.count())}
    assert {"en", "pl", "tr", "id", "th", "x-default"} <= codes
    page.click(".hc-langs a[hreflang='th']")
    page.wait_for_url(re.compile(r"/th/a/returns-and-refunds/$"))
    assert page.locator("html").get_attribute("lang") == "th"
    # the shopper says it helped, with a comment that is only text to us
    page.fill("#vote-comment", "<img src=x onerror=alert(1)> ชัดเจนดีค่ะ")
    page.click("button[name=helpful][value=yes]")
    expect(page.locator("[data-testid=vote-thanks]")).to_be_visible()
    article = Article.objects.get(help_center=demo_help, slug="returns-and-refunds")
    assert article.helpful_yes == 1
    feedback = ArticleVote.objects.get(article=article)
    assert feedback.comment.startswith("<img src=x") and feedback.language == "th"
    context.close()


def test_an_agent_gets_the_right_article_in_the_composer(
    personas, demo_help, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    received = receive_message(personas.harbor_api, InboundMessage(
        sender_id="mia-1", name="Mia", email="mia@shopper.test",
        text="Hi, how do I send something back and get my money?"))
    conversation = received.conversation
    context, page = sign_in(browser, asgi_server.base, "ahmet@harbor.test")
    page.goto(f"{asgi_server.base}/conversations/{conversation.display_id}/")
    page.click("[data-testid=helpcenter-tool] summary")
    suggestions = page.locator("[data-testid=helpcenter-suggestions] li[data-article]")
    expect(suggestions.first).to_have_attribute("data-article", "returns-and-refunds")
    # "Insert link" puts the public URL of the article into the reply
    suggestions.first.locator("button[data-hc-insert^='http']").click()
    expect(page.locator("#composer-text")).to_have_value(
        re.compile(rf"/help/{demo_help.slug}/en/a/returns-and-refunds/"))
    context.close()
