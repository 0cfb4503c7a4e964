"""The composer's Markdown: sanitised HTML for channels that show it, plain text for the rest."""

from __future__ import annotations

from storedesk.core.formatting import render_markdown


def test_bold_italic_links_and_lists_render_and_have_a_plain_version():
    # given an agent's reply with the formatting the toolbar makes
    source = ("Hello **Ayşe**,\nyour order *1042* ships [today](example.com/track).\n\n"
              "- the vase\n- the lamp\n\n1. pack it\n2. send it")
    # when it is rendered
    formatted = render_markdown(source)
    # then the HTML carries the formatting, the link made absolute and safe
    html = formatted.html or ""
    assert "<strong>Ayşe</strong>" in html and "<em>1042</em>" in html
    link = '<a href="https://example.com/track" rel="noopener noreferrer nofollow">today</a>'
    assert link in html
    assert "<ul>\n<li>the vase</li>" in html and "<ol>\n<li>pack it</li>" in html
    assert "<br>" in html  # a line break typed is a line break shown
    # and the plain text reads well without it
    assert formatted.text == (
        "Hello Ayşe,\nyour order 1042 ships today (https://example.com/track).\n\n"
        "- the vase\n- the lamp\n\n1. pack it\n2. send it")


def test_typed_html_and_script_links_stay_text():
    formatted = render_markdown(
        '<img src=x onerror="alert(1)"> <script>alert(2)</script> [click](javascript:alert(3))'
        " <b>bold?</b>")
    html = formatted.html or ""
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "javascript:" not in html.replace("[click](javascript:alert(3))", "")
    assert "&lt;script&gt;" in html
    assert "href" not in html
    assert "<script>alert(2)</script>" in formatted.text


def test_what_agents_type_without_meaning_markdown_stays_as_typed():
    # an order number at the start of a line, an indented line, snake_case, a lone star
    source = "# 1042 is late\n    indented line\nsnake_case_word and 2 * 3"
    formatted = render_markdown(source)
    assert "<h1>" not in (formatted.html or "") and "<pre>" not in (formatted.html or "")
    assert "<em>" not in (formatted.html or "")
    assert formatted.text == "# 1042 is late\nindented line\nsnake_case_word and 2 * 3"


def test_autolinks_mail_links_and_nested_lists_in_plain_text():
    formatted = render_markdown(
        "<https://shop.test/a> or [write us](mailto:help@shop.test)\n\n"
        "1. one\n2. two\n   - a\n   - b\n3. three\n\n> quoted\n> more")
    assert formatted.text == (
        "https://shop.test/a or write us (help@shop.test)\n\n"
        "1. one\n2. two\n   - a\n   - b\n3. three\n\n> quoted\n> more")
    assert render_markdown("   ").html is None and render_markdown("").text == ""
