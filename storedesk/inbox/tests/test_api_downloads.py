"""Attachments go out as downloads: never inline, never sniffed, named per RFC 6266."""

from __future__ import annotations

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.downloads import attachment_response, content_disposition
from storedesk.inbox.storage import IncomingFile


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_html_attachment_is_served_as_an_opaque_download(personas):
    # given a shopper who sends an HTML page pretending to be a receipt
    received = receive_message(
        personas.harbor_api,
        InboundMessage(
            sender_id="mallory", text="my receipt",
            attachments=[IncomingFile("rëceipt \"1\".html", b"<script>alert(1)</script>",
                                      "text/html")],
        ),
    )
    attachment = received.message.attachments.get()
    # when the agent downloads it
    response = attachment_response(attachment)
    # then the browser is told to save it, not render it
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''r%C3%ABceipt%20%221%22.html" in response["Content-Disposition"]
    assert _body(response) == b"<script>alert(1)</script>"


def test_svg_claimed_as_image_is_not_served_as_svg(personas):
    # given an SVG with a script inside
    received = receive_message(
        personas.harbor_api,
        InboundMessage(sender_id="m2", text="logo",
                       attachments=[IncomingFile("logo.svg", b"<svg onload=alert(1)/>",
                                                 "image/svg+xml")]),
    )
    # when it is downloaded
    response = attachment_response(received.message.attachments.get())
    # then it is an opaque download
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_pdf_keeps_its_type_and_header_injection_is_impossible(personas):
    # given a PDF with a filename that tries to inject a header
    received = receive_message(
        personas.harbor_api,
        InboundMessage(sender_id="m3", text="invoice",
                       attachments=[IncomingFile("inv\r\nX-Evil: 1.pdf", b"%PDF-1.4", "")]),
    )
    # when it is downloaded
    response = attachment_response(received.message.attachments.get())
    # then the type is kept and the name carries no line breaks
    assert response["Content-Type"] == "application/pdf"
    assert "\n" not in response["Content-Disposition"]
    assert response["Content-Length"] == "8"


def test_content_disposition_has_an_ascii_fallback():
    header = content_disposition("zamówienie;ł.pdf")
    assert header.startswith('attachment; filename="zamowienie_.pdf"; ')
    assert header.endswith("filename*=UTF-8''zam%C3%B3wienie%3B%C5%82.pdf")
