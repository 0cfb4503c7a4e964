"""Articles are written in Markdown; what reaches a shopper's browser is sanitised HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from storedesk.helpcenter.markdown import plain_text, render_markdown

ATTACKS = [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "![pic](javascript:alert(1))",
    '![pic](https://example.com/a.png "x" onerror="alert(1)")',
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
    "[x](https://ok.example)<style>body{display:none}</style>",
]


class Elements(HTMLParser):
    """Every element and attribute of rendered HTML (what a browser would act on)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)


@pytest.mark.parametrize("source", ATTACKS)
def test_markdown_attacks_are_neutralised(source: str) -> None:
    parsed = Elements()
    parsed.feed(render_markdown(source))
    assert not {"script", "iframe", "svg", "style", "object", "embed"} & set(parsed.tags)
    for name, value in parsed.attrs:
        assert not name.startswith("on"), (source, name)
        if name in ("href", "src"):
            assert value.strip().lower().startswith(("https:", "http:", "mailto:", "/help/")), (
                source, value)


def test_ordinary_markdown_renders() -> None:
    html = render_markdown(
        "# Returns\n\n**Within 30 days.** See [our policy](https://shop.example/returns).\n\n"
        "| a | b |\n| - | - |\n| 1 | 2 |\n\n![box](https://cdn.example/box.png)\n\n"
        "![own](/help/lumen-loom/images/abc123)")
    assert "<h1>Returns</h1>" in html
    assert "<strong>Within 30 days.</strong>" in html
    assert 'href="https://shop.example/returns"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'src="https://cdn.example/box.png"' in html
    assert 'src="/help/lumen-loom/images/abc123"' in html


def test_images_may_only_come_from_https_or_our_own_image_urls() -> None:
    html = render_markdown("![a](http://tracker.example/p.gif) ![b](/admin/x.png)")
    assert "tracker.example" not in html and "/admin/x.png" not in html


def test_raw_html_is_shown_as_text_not_markup() -> None:
    html = render_markdown("Press <b>here</b>")
    assert "&lt;b&gt;here&lt;/b&gt;" in html
    assert plain_text("Press **here** & <b>now</b>") == "Press here & <b>now</b>"
