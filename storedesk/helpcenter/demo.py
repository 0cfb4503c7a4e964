"""The demo store's help center: Markdown files in demo_content/ (en, pl, tr, id, th), loaded
through the same importer stores use, so loading twice changes nothing."""

from __future__ import annotations

from pathlib import Path

from storedesk.commerce.models import Store
from storedesk.helpcenter.actions import ensure_help_center
from storedesk.helpcenter.models import HelpCenter
from storedesk.helpcenter.portable import ImportReport, import_help_center

CONTENT = Path(__file__).parent / "demo_content"


def load_demo_help_center(store: Store) -> tuple[HelpCenter, ImportReport]:
    help_center = ensure_help_center(store)
    if not help_center.contact_email:
        HelpCenter.objects.filter(pk=help_center.pk).update(
            contact_email="support@lumenloom.example", primary_color="#3b4a3f",
            accent_color="#8a5a2b")
        help_center.refresh_from_db()
    report = import_help_center(help_center, CONTENT)
    return help_center, report
