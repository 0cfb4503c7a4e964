"""A store keeps its help center in git: export to Markdown with front matter, import back,
round trip without loss; bad files are reported by name and do not stop the rest."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from storedesk.helpcenter import actions
from storedesk.helpcenter.models import Article, ArticleTranslation
from storedesk.helpcenter.portable import export_help_center, import_help_center, parse
from storedesk.helpcenter.tests.conftest import write


def snapshot(help_center):
    rows = []
    for tr in ArticleTranslation.objects.filter(article__help_center=help_center).select_related(
            "article__category").order_by("article__slug", "language"):
        a = tr.article
        rows.append((a.slug, tr.language, tr.title, tr.summary, tr.body.strip(), tr.is_published,
                     a.visibility, a.tags, a.category.slug if a.category else None, a.position,
                     sorted(a.related.values_list("slug", flat=True))))
    return rows


def test_export_then_import_into_another_store_round_trips(personas, harbor_help, shipping,
                                                           tmp_path) -> None:
    write(harbor_help, "returns", "en", "Returns: the \"30 days\" rule", "Line one.\n\n- a\n- b",
          summary="Send it back.", tags=["returns", "refund"], category=shipping)
    write(harbor_help, "returns", "th", "การคืนสินค้า", "ส่งคืนได้ภายใน 30 วัน", category=shipping)
    write(harbor_help, "procedure", "pl", "Procedura: zaginiona paczka", "Zgłoś reklamację.",
          visibility="internal", publish=False)
    actions.set_related(None, Article.objects.get(slug="returns"), ["procedure"])
    count = export_help_center(harbor_help, tmp_path)
    assert count == 3
    exported = (tmp_path / "th" / "returns.md").read_text(encoding="utf-8")
    assert exported.startswith("---\nslug: returns")
    meta, body = parse((tmp_path / "pl" / "procedure.md").read_text(encoding="utf-8"))
    assert meta["visibility"] == "internal" and meta["status"] == "draft"

    from storedesk.commerce.models import Store

    other = actions.ensure_help_center(Store.objects.create(
        account=personas.harbor, slug="outlet", name="Harbor Outlet"))
    report = import_help_center(other, tmp_path)
    assert report.errors == [] and report.created == 3 and report.published == 2
    assert snapshot(other) == snapshot(harbor_help)
    again = import_help_center(other, tmp_path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_import_reports_bad_files_and_keeps_the_good_ones(harbor_help, tmp_path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "de").mkdir()
    (tmp_path / "en" / "good.md").write_text("---\ntitle: Good\n---\nFine.\n", encoding="utf-8")
    (tmp_path / "en" / "nofront.md").write_text("Just text", encoding="utf-8")
    (tmp_path / "en" / "badyaml.md").write_text("---\ntitle: [oops\n---\nx", encoding="utf-8")
    (tmp_path / "en" / "notitle.md").write_text("---\nslug: x\n---\nx", encoding="utf-8")
    (tmp_path / "en" / "badcat.md").write_text("---\ntitle: A\ncategory: nope\n---\nx",
                                              encoding="utf-8")
    (tmp_path / "en" / "binary.md").write_bytes(b"\xff\xfe\x00bad")
    report = import_help_center(harbor_help, tmp_path)
    assert report.created == 1
    assert sorted(e.split(":")[0] for e in report.errors) == [
        "de/", "en/badcat.md", "en/badyaml.md", "en/binary.md", "en/nofront.md", "en/notitle.md"]
    slugs = Article.objects.filter(help_center=harbor_help).values_list("slug", flat=True)
    assert list(slugs) == ["good"]


def test_cli_commands(personas, harbor_help, tmp_path) -> None:
    write(harbor_help, "returns", "en", "Returns", "Within 30 days.")
    out = StringIO()
    call_command("helpcenter_export", "--account", personas.harbor.slug, "--store", "harbor",
                 str(tmp_path), stdout=out)
    assert "Exported 1" in out.getvalue()
    out = StringIO()
    call_command("helpcenter_import", "--account", personas.harbor.slug, "--store", "harbor",
                 str(tmp_path), stdout=out)
    assert out.getvalue().strip() == "created 0, updated 0, unchanged 1, published 0"
    with pytest.raises(CommandError):
        call_command("helpcenter_import", "--account", "northwind", "--store", "harbor",
                     str(tmp_path))
