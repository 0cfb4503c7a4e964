"""The vendors `storedesk import` knows: name -> a function building the reader for a source
(a file or folder of the vendor's export, or the base URL of its API with a token)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storedesk.importers.core import Reader


@dataclass(frozen=True)
class Credentials:
    token: str = ""
    email: str = ""  # Zendesk API tokens and Gorgias keys go with the user's email
    api_url: str = ""  # Help Scout files: the API their attachment links point into


class SourceError(Exception):
    """The source cannot be read as asked (missing folder, no token for a URL ...)."""


def build_reader(vendor: str, source: str, credentials: Credentials) -> Reader:
    if vendor not in VENDORS:
        raise SourceError(f"Unknown vendor {vendor!r}; one of: {', '.join(VENDORS)}.")
    is_url = source.startswith(("http://", "https://"))
    if not is_url and not Path(source).exists():
        raise SourceError(f"{source} does not exist.")
    if is_url and vendor == "jsonl":
        raise SourceError("The JSONL format is read from a file.")
    if is_url and not credentials.token:
        raise SourceError(f"Reading {vendor} from its API needs a token (--token, or the "
                          "STOREDESK_IMPORT_TOKEN environment variable).")
    return VENDORS[vendor](source, credentials)


def _jsonl(source: str, credentials: Credentials) -> Reader:
    from storedesk.importers.jsonl import JsonlReader

    return JsonlReader(Path(source))


def _zendesk(source: str, credentials: Credentials) -> Reader:
    from storedesk.importers import zendesk

    return zendesk.reader(source, credentials.token, credentials.email)


def _freshdesk(source: str, credentials: Credentials) -> Reader:
    from storedesk.importers import freshdesk

    return freshdesk.reader(source, credentials.token)


def _gorgias(source: str, credentials: Credentials) -> Reader:
    from storedesk.importers import gorgias

    return gorgias.reader(source, credentials.token, credentials.email)


def _helpscout(source: str, credentials: Credentials) -> Reader:
    from storedesk.importers import helpscout

    return helpscout.reader(source, credentials.token, credentials.api_url)


VENDORS: dict[str, Callable[[str, Credentials], Reader]] = {
    "zendesk": _zendesk,
    "freshdesk": _freshdesk,
    "gorgias": _gorgias,
    "helpscout": _helpscout,
    "jsonl": _jsonl,
}
