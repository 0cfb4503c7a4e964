"""Uploads: limits per file, per message and per request, streamed to disk, a clear 413.

The memory story runs a real uvicorn server on the test database and reads its peak resident
memory (VmHWM in /proc) around the uploads: a note with two large files is stored without the
server ever holding a file in memory, and a note with 8 x 24 MiB files is refused with 413
before its body is read. The bound on growth comes from the limits: half of one accepted file.
"""

from __future__ import annotations

import contextlib
import json
import re
import select
import socket
from pathlib import Path

import httpx
import pytest
from django.db import transaction

from storedesk.accounts.actor import Actor
from storedesk.core.errors import PayloadTooLarge
from storedesk.inbox import actions
from storedesk.inbox.models import Attachment, Message
from storedesk.inbox.storage import IncomingFile, attachment_path, sweep_staged
from storedesk.testing.browser import AsgiServer
from storedesk.testing.personas import PASSWORD

MiB = 1024 * 1024


def _peak_rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match, status
    return int(match.group(1)) * 1024


def _sparse_file(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def _sign_in(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    client.get("/login/")
    response = client.post("/login/", data={
        "username": email, "password": PASSWORD,
        "csrfmiddlewaretoken": client.cookies["csrftoken"],
    })
    assert response.status_code == 302, response.text
    return client


def _raw_post(port: int, path: str, headers: dict[str, str], first_bytes: bytes,
              *, chunked: bool = False) -> tuple[int, dict[str, str], bytes]:
    """Send a request head and only the start of its body, then read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        ) + "\r\n"
        sock.sendall(head.encode())
        if chunked:
            # 64 chunks of 1 MiB (over any limit), stopping as soon as the server answers
            for _ in range(64):
                if select.select([sock], [], [], 0)[0]:
                    break
                try:
                    sock.sendall(f"{MiB:x}\r\n".encode() + first_bytes + b"\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    break
        else:
            # (answered and closed before the body: the answer is read below)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(first_bytes)
        answer = b""
        while b"\r\n\r\n" not in answer:
            try:
                block = sock.recv(65536)
            except ConnectionResetError:
                break
            if not block:
                break
            answer += block
        if not answer:
            return 0, {}, b""  # reset before any answer: the server stopped reading
        head_raw, _, body = answer.partition(b"\r\n\r\n")
        lines = head_raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        parsed = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        length = int(parsed.get("content-length", "0"))
        while len(body) < length:
            block = sock.recv(65536)
            if not block:
                break
            body += block
        return status, {k.lower(): v for k, v in parsed.items()}, body


@pytest.mark.django_db(transaction=True)
def test_large_uploads_are_streamed_and_a_huge_note_is_refused_with_413(personas, tmp_path):
    # given a real server and Ahmet signed in, with a conversation to write in
    received = actions.receive_message(
        personas.harbor_api, actions.InboundMessage(sender_id="mei", text="Photos?"))
    display_id = received.conversation.display_id
    server = AsgiServer(env={"STOREDESK_DATA_DIR": str(tmp_path / "server-data")})
    server.start()
    try:
        assert server.process is not None
        pid = server.process.pid
        client = _sign_in(server.base, "ahmet@harbor.test")
        note_url = f"/conversations/{display_id}/note/"
        csrf = {"X-CSRFToken": client.cookies["csrftoken"], "HX-Request": "true"}
        # (warm up every code path with a small note and a small file)
        small = _sparse_file(tmp_path / "small.bin", 1024)
        with small.open("rb") as f:
            warm = client.post(note_url, headers=csrf, data={"text": "warm-up"},
                               files={"attachments": ("small.bin", f)})
        assert warm.status_code == 200, warm.text[:500]
        baseline = _peak_rss(pid)

        # when he adds a note with two 20 MiB photos (within every limit)
        file_size = 20 * MiB
        big = [_sparse_file(tmp_path / f"photo-{i}.jpg", file_size) for i in range(2)]
        handles = [p.open("rb") for p in big]
        try:
            accepted = client.post(
                note_url, headers=csrf, data={"text": "the photos"},
                files=[("attachments", (p.name, h, "image/jpeg"))
                       for p, h in zip(big, handles, strict=True)],
            )
        finally:
            for h in handles:
                h.close()
        # then the note and both files are stored
        assert accepted.status_code == 200, accepted.text[:500]
        note = Message.objects.get(conversation=received.conversation, text="the photos")
        assert sorted(a.size for a in note.attachments.all()) == [file_size, file_size]

        # when a note with 8 x 24 MiB files is sent (the probe that grew the server by 200 MiB)
        declared = 8 * 24 * MiB
        status, headers, body = _raw_post(server.port, note_url, {
            "Content-Type": "multipart/form-data; boundary=xyz",
            "Content-Length": str(declared),
            "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
            **csrf,
        }, b"--xyz\r\n" + b"\0" * MiB)
        # then it is refused with 413 and a readable message, before the body is read
        assert status == 413
        assert "limit per request" in body.decode()
        # and through the API too: 413 with a JSON detail, also for a chunked body
        token_status, token_headers, token_body = _raw_post(server.port, (
            f"/api/v1/conversations/{received.conversation.pk}/messages"),
            {"Content-Type": "application/json", "Content-Length": str(declared)}, b"{")
        assert token_status == 413
        assert token_headers["content-type"] == "application/json"
        assert "limit per request" in json.loads(token_body)["detail"]
        chunked_status, _, chunked_body = _raw_post(server.port, note_url, {
            "Content-Type": "multipart/form-data; boundary=xyz",
            "Transfer-Encoding": "chunked",
            "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()), **csrf,
        }, b"\0" * MiB, chunked=True)
        # (the server stops reading a chunked body at the cap: 413, or a reset before it)
        assert chunked_status in (413, 0), chunked_body[:300]

        # and the server's peak memory grew by less than half of one accepted file
        growth = _peak_rss(pid) - baseline
        assert growth < file_size // 2, f"peak RSS grew by {growth / MiB:.1f} MiB"
        assert Message.objects.filter(conversation=received.conversation, private=True).count() \
            == 2  # the warm-up and the photos; nothing of the refused notes
    finally:
        server.stop()


@pytest.mark.django_db
def test_count_and_total_limits_are_clear_errors_in_the_composer(personas, client, settings):
    # given small limits and a conversation
    settings.ATTACHMENT_MAX_COUNT = 2
    settings.ATTACHMENT_MAX_TOTAL_BYTES = 3000
    conversation = actions.receive_message(
        personas.harbor_api, actions.InboundMessage(sender_id="mei", text="Hi")).conversation
    client.force_login(personas.ahmet.agent)
    url = f"/conversations/{conversation.display_id}/note/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    def files(n: int, size: int) -> list[SimpleUploadedFile]:
        return [SimpleUploadedFile(f"f{i}.txt", b"x" * size) for i in range(n)]

    # when a note carries three files, then two files over the total
    too_many = client.post(url, {"text": "a", "attachments": files(3, 10)}, HTTP_HX_REQUEST="true")
    too_big = client.post(url, {"text": "b", "attachments": files(2, 2000)},
                          HTTP_HX_REQUEST="true")
    # then both are refused with a message in the composer, and nothing is stored
    # (in Ahmet's language: he works in Turkish)
    from django.utils import translation
    from django.utils.html import escape

    with translation.override(personas.ahmet.agent.language):
        count_error = escape(translation.gettext(
            "Attach at most %(count)s files to one message.") % {"count": 2})
        total_error = escape(translation.gettext(
            "The files are larger than the %(limit)s MiB limit per message.") % {"limit": 0})
    assert personas.ahmet.agent.language == "tr"
    assert too_many.status_code == 400
    assert count_error in too_many.content.decode()
    assert too_big.status_code == 400
    assert total_error in too_big.content.decode()
    assert not Message.objects.filter(private=True).exists()
    # and the action itself refuses the same with 413 (the API and connectors call it)
    with pytest.raises(PayloadTooLarge):
        actions.add_note(conversation, Actor.agent(personas.ahmet), "c", attachments=[
            IncomingFile("a.txt", b"x" * 2000), IncomingFile("b.txt", b"x" * 2000)])
    assert not list(Path(settings.MEDIA_ROOT).glob("attachments/*/*"))


@pytest.mark.django_db(transaction=True)
def test_a_message_whose_transaction_rolls_back_leaves_no_file(personas, settings):
    media = Path(settings.MEDIA_ROOT) / "attachments"

    def files_on_disk() -> set[str]:
        return {p.name for p in media.glob("??/*")}

    # given an inbox deleted while a message for it was on its way in
    inbox = personas.harbor_api
    from storedesk.inbox.models import Inbox

    Inbox.objects.filter(pk=inbox.pk).delete()
    # when the message arrives with a file (its rows cannot commit: the inbox is gone)
    with pytest.raises(Exception):  # noqa: B017,PT011 - IntegrityError or its wrapper
        actions.receive_message(inbox, actions.InboundMessage(
            sender_id="mei", text="invoice", attachments=[IncomingFile("i.pdf", b"%PDF-1")]))
    # then no file is left behind
    assert files_on_disk() == set()

    # given a note written inside a larger transaction that rolls back afterwards
    conversation = actions.receive_message(personas.northwind_api, actions.InboundMessage(
        sender_id="sam", text="hello")).conversation

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        actions.add_note(conversation, Actor.agent(personas.bruno), "draft",
                         attachments=[IncomingFile("draft.txt", b"draft")])
        raise Abort
    # and a note that commits
    kept = actions.add_note(conversation, Actor.agent(personas.bruno), "kept",
                            attachments=[IncomingFile("kept.txt", b"kept")])
    kept_key = Attachment.objects.get(message=kept).storage_key
    # when the staged-file sweep runs
    sweep_staged(older_than_seconds=0)
    # then only the committed note's file remains, and it is intact
    assert files_on_disk() == {kept_key}
    assert attachment_path(kept_key).read_bytes() == b"kept"
    assert settings.ATTACHMENT_MAX_COUNT >= 1
