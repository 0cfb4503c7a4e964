"""The assistant's eleven reply catalogs (gettext domain "assistant"), as committed: every
reply translated, placeholders kept, msgfmt-clean, and the compiled .mo in step with the .po.
They are separate from the UI catalogs: Django's makemessages never extracts them."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess

import pytest

from storedesk.assistant import replies

ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', re.MULTILINE)


def _unquote(block: str) -> str:
    return "".join(bytes(part, "utf-8").decode("unicode_escape").encode("latin-1").decode()
                   for part in re.findall(r'"(.*)"', block))


def _po(language: str) -> dict[str, str]:
    path = replies.REPLIES_DIR / language / "LC_MESSAGES" / "assistant.po"
    text = path.read_text(encoding="utf-8")
    return {_unquote(m.group(1)): _unquote(m.group(2)) for m in ENTRY.finditer(text)
            if _unquote(m.group(1))}


def test_there_is_one_catalog_per_language_of_the_issue() -> None:
    found = sorted(p.name for p in replies.REPLIES_DIR.iterdir() if p.is_dir())
    assert found == sorted(replies.LANGUAGES)
    assert len(found) == 11


@pytest.mark.parametrize("language", replies.LANGUAGES)
def test_every_reply_is_translated_with_its_placeholders(language: str) -> None:
    catalog = _po(language)
    assert set(catalog) == set(replies.DEFAULTS.values())
    for source, translated in catalog.items():
        assert translated.strip(), f"{language}: untranslated {source[:40]!r}"
        assert replies.placeholders(translated) == replies.placeholders(source), source
        if language != "en":
            assert translated != source or not re.search(r"[a-z]{4}", source), \
                f"{language}: still English: {source[:40]!r}"


@pytest.mark.parametrize("language", replies.LANGUAGES)
def test_the_catalog_is_msgfmt_clean_and_compiled(language: str) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt is missing: install GNU gettext")
    po = replies.REPLIES_DIR / language / "LC_MESSAGES" / "assistant.po"
    out = subprocess.run([msgfmt, "--check", "-o", os.devnull, str(po)],  # noqa: S603
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    with (replies.REPLIES_DIR / language / "LC_MESSAGES" / "assistant.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for source, translated in _po(language).items():
        assert compiled.gettext(source) == translated, f"{language}: stale .mo for {source[:40]}"


def test_the_ui_catalogs_do_not_carry_the_replies() -> None:
    from django.conf import settings

    ui = (settings.BASE_DIR / "storedesk" / "locale" / "pl" / "LC_MESSAGES" / "django.po")
    text = ui.read_text(encoding="utf-8")
    assert replies.DEFAULTS["cancel_requested"][:40] not in text
