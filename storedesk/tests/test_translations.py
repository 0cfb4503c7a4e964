"""The translation catalogs as they are committed: complete, well-formed and compiled.

The agent UI, settings, help center and emails ship in Polish, Turkish, Indonesian and Thai.
An untranslated or fuzzy entry shows English (or a wrong guess) to an agent, a broken
placeholder crashes a page, and a stale .mo hides a translation that the .po already has.

Most tests read the committed catalogs; one extracts every translatable string from the code
the way `make messages` does (Django's makemessages, run on a temporary copy of the sources so
no tracked file is rewritten) and fails while a string is missing from a catalog. So a branch
that adds UI strings fails here until it runs `make messages`, translates the new entries and
runs `make compilemessages`.
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
from django.core.management import call_command
from django.test import override_settings

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "storedesk" / "locale"
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


# What `make messages` leaves out (the Makefile's -i patterns; makemessages itself skips dot
# directories such as .venv and .git), plus caches and the catalogs themselves.
NOT_SOURCES = {"bench", "var", "node_modules", "__pycache__", "locale"}
SOURCE_SUFFIXES = (".py", ".html", ".txt")  # what makemessages reads for the "django" domain
PO_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
PO_FIELD = re.compile(r"^(msgctxt|msgid|msgid_plural) ")

MessageKey = tuple[str | None, str, str | None]


def _messages(path: Path) -> set[MessageKey]:
    """(msgctxt, msgid, msgid_plural) of every live entry of a .po/.pot file, header excluded.

    The strings stay escaped as gettext writes them, which is the same on both sides."""
    keys: set[MessageKey] = set()
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):  # comments, flags and obsolete (#~) entries
                continue
            field = PO_FIELD.match(line)
            if field:
                current = field.group(1)
                fields[current] = ""
            elif not line.startswith('"'):
                current = None  # msgstr and its continuation lines
            if current:
                fields[current] += "".join(PO_STRING.findall(line))
        if fields.get("msgid"):
            keys.add((fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural")))
    return keys


def _copy_sources(dest: Path) -> None:
    """Copy the files makemessages would read, keeping the layout (and an empty catalog dir)."""
    for root, dirs, files in os.walk(BASE_DIR):
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".")
            and d not in NOT_SOURCES
            and not (Path(root) / d / "pyvenv.cfg").exists()
        ]
        target = dest / Path(root).relative_to(BASE_DIR)
        for name in files:
            if name.endswith(SOURCE_SUFFIXES):
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(root) / name, target / name)
    (dest / LOCALE_DIR.relative_to(BASE_DIR)).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
def strings_in_the_code(tmp_path_factory: pytest.TempPathFactory) -> set[MessageKey]:
    """Every translatable string in the code, extracted by makemessages from a copy."""
    _gettext_tool("xgettext")
    copy = tmp_path_factory.mktemp("sources")
    _copy_sources(copy)
    locale_dir = copy / LOCALE_DIR.relative_to(BASE_DIR)
    cwd = Path.cwd()
    os.chdir(copy)  # makemessages reads the tree under the working directory
    try:
        with override_settings(LOCALE_PATHS=[locale_dir]):
            call_command(
                "makemessages", locale=[LANGUAGES[0]], keep_pot=True, no_obsolete=True, verbosity=0
            )
    finally:
        os.chdir(cwd)
    return _messages(locale_dir / "django.pot")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_translatable_string_is_in_the_catalog(
    lang: str, strings_in_the_code: set[MessageKey]
) -> None:
    # given every string the code marks for translation (the same extraction as make messages)
    assert len(strings_in_the_code) > 100, "makemessages found almost no strings: check the copy"
    # when we look each one up in the committed catalog
    missing = sorted(strings_in_the_code - _messages(_catalog(lang)), key=lambda key: key[1])
    # then none is missing (a missing string is shown in English to a {lang} agent)
    shown = [msgid if ctx is None else f"{ctx}|{msgid}" for ctx, msgid, _plural in missing]
    assert not missing, (
        f"{len(missing)} translatable strings are missing from {_catalog(lang)}: run make "
        f"messages and translate them (then make compilemessages): {shown[:30]}"
    )
