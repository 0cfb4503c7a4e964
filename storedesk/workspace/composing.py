"""From what the agent typed to what a message stores: Markdown rendered, one signature added.

`compose(markdown, signature)` gives the message's plain `text` (for channels without HTML and
for search) and its sanitised `html`; the signature (plain text, workspace/actions.py
`chosen_signature`) goes below both, escaped in the HTML. The composer's preview shows exactly
this.
"""

from __future__ import annotations

from html import escape

from storedesk.core.formatting import Formatted, render_markdown
from storedesk.core.sanitize import sanitize_html


def compose(markdown: str, signature: str = "") -> Formatted:
    body = render_markdown(markdown)
    signature = (signature or "").strip()
    if not signature or body.text.rstrip().endswith(signature):
        return body
    text = f"{body.text}\n\n{signature}" if body.text else signature
    signed = "<p>" + escape(signature).replace("\n", "<br>\n") + "</p>"
    return Formatted(text, sanitize_html((body.html or "") + signed))
