"""Attachments of an export on disk or on the web, for every reader's `fetch`."""

from __future__ import annotations

from pathlib import Path

from storedesk.core.safe_fetch import FetchError, safe_fetch
from storedesk.importers.records import File


def local_file(base: Path, relative: str, max_bytes: int) -> bytes:
    """A file of the export folder; nothing outside it is ever read."""
    root = base.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise FileNotFoundError(relative)
    if path.stat().st_size > max_bytes:
        raise FetchError(f"{relative} is larger than {max_bytes} bytes.", permanent=True)
    return path.read_bytes()


def web_file(url: str, max_bytes: int) -> bytes:
    """A public URL (no credentials sent), through core.safe_fetch."""
    response = safe_fetch("GET", url, max_bytes=max_bytes)
    if not response.is_success:
        raise FetchError(f"{url} answered {response.status_code}",
                         permanent=response.status_code < 500)
    return response.content


def export_file(base: Path, file: File, max_bytes: int) -> bytes:
    if file.path:
        return local_file(base, file.path, max_bytes)
    if file.url:
        return web_file(file.url, max_bytes)
    raise FileNotFoundError(file.filename)
