"""The translation catalogs as they are committed: complete, well-formed and compiled.

The agent UI, settings, help center and emails ship in Polish, Turkish, Indonesian and Thai.
An untranslated or fuzzy entry shows English (or a wrong guess) to an agent, a broken
placeholder crashes a page, and a stale .mo hides a translation that the .po already has.

These tests read the committed catalogs only; they never re-extract strings from the code
(run `make messages` for that), so a branch that adds strings fails here until it translates
them and runs `make compilemessages`.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "storedesk" / "locale"
LANGUAGES = ["pl", "tr", "id", "th"]
STATISTICS = re.compile(
    r"(?:(?P<translated>\d+) translated messages?)?"
    r"(?:, )?(?:(?P<fuzzy>\d+) fuzzy translations?)?"
    r"(?:, )?(?:(?P<untranslated>\d+) untranslated messages?)?"
)


def _gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install GNU gettext (apt-get install gettext)")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LC_ALL": "C", "LANGUAGE": ""}
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False)  # noqa: S603


def _catalog(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def _entries_with(lang: str, *msgattrib_args: str) -> list[str]:
    """The msgids msgattrib selects (the header entry, msgid "", left out)."""
    out = _run(_gettext_tool("msgattrib"), "--no-obsolete", *msgattrib_args, str(_catalog(lang)))
    assert out.returncode == 0, out.stderr
    ids = []
    for block in out.stdout.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.MULTILINE)
        if match:
            msgid = "".join(re.findall(r'"(.*)"', match.group(1)))
            if msgid:
                ids.append(msgid)
    return ids


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_passes_msgfmt_check(lang: str) -> None:
    # given the committed catalog
    # when msgfmt checks it (format strings, plural forms, header) the way compilemessages does
    out = _run(
        _gettext_tool("msgfmt"), "--check", "--statistics", "-o", os.devnull, str(_catalog(lang))
    )
    # then it reports no error
    assert out.returncode == 0, f"msgfmt --check failed for {lang}:\n{out.stderr}"
    stats = STATISTICS.search(out.stderr.strip().splitlines()[-1])
    assert stats is not None and int(stats["translated"] or 0) > 0, out.stderr
    assert not int(stats["fuzzy"] or 0) and not int(stats["untranslated"] or 0), out.stderr


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_no_untranslated_or_fuzzy_entry(lang: str) -> None:
    # given the committed catalog
    # when we list its untranslated and fuzzy entries
    untranslated = _entries_with(lang, "--untranslated")
    fuzzy = _entries_with(lang, "--only-fuzzy")
    # then there are none (the messages are named so the fix is obvious)
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy (review, then drop the flag): {fuzzy[:20]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_the_po_file(lang: str, tmp_path: Path) -> None:
    # given the committed .po and .mo
    mo = _catalog(lang).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run make compilemessages"
    fresh = tmp_path / "django.mo"
    # when the .po is compiled again
    out = _run(_gettext_tool("msgfmt"), "--check-format", "-o", str(fresh), str(_catalog(lang)))
    assert out.returncode == 0, out.stderr
    # then the committed .mo holds the same translations
    with mo.open("rb") as committed, fresh.open("rb") as compiled:
        committed_catalog = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
        compiled_catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    stale = sorted(str(key) for key in compiled_catalog.keys() ^ committed_catalog.keys()) + sorted(
        str(key)
        for key in compiled_catalog.keys() & committed_catalog.keys()
        if compiled_catalog[key] != committed_catalog[key]
    )
    assert not stale, f"{mo} is stale, run make compilemessages; differs on {stale[:10]}"
