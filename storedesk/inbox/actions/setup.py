"""Inboxes and tags, as the admins' settings pages create and change them."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_noop

from storedesk.accounts.models import Account, Team
from storedesk.core.errors import ActionError
from storedesk.inbox.actions._shared import TAG_RE
from storedesk.inbox.channels import is_channel
from storedesk.inbox.models import (
    Inbox,
    Tag,
)

TAG_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _checked_config(channel: str, config: dict[str, Any]) -> dict[str, Any]:
    """The inbox stores the connector's config as given; the connector's setup action
    (storedesk.connectors.actions) validated it against its typed schema and sealed its
    secrets. Here only the shape is checked, so no caller can slip in something odd."""
    if not is_channel(channel):
        raise ActionError(gettext_noop("That channel cannot be set up here."))
    if not isinstance(config, dict):
        raise ActionError(gettext_noop("The inbox settings are malformed."))
    return config


@transaction.atomic
def create_inbox(
    account: Account,
    *,
    name: str,
    channel: str,
    config: dict[str, Any],
    by: Any = None,
    team: Team | None = None,
    store: Model | None = None,  # a commerce.Store (the inbox layer does not import commerce)
) -> Inbox:
    """Create an inbox of a registered channel. The signing secret is generated here.

    Called by storedesk.connectors.actions.set_up_inbox, which validates `config`."""
    from storedesk.accounts.actions import audit

    name = name.strip()[:200]
    if not name:
        raise ActionError(gettext_noop("An inbox needs a name."))
    if team is not None and team.account_id != account.pk:
        raise ActionError(gettext_noop("That team does not belong to this account."))
    if store is not None and getattr(store, "account_id", None) != account.pk:
        raise ActionError(gettext_noop("That store does not belong to this account."))
    inbox = Inbox.objects.create(
        account=account,
        name=name,
        channel=channel,
        team=team,
        store_id=store.pk if store is not None else None,
        config=_checked_config(channel, config),
    )
    audit("inbox.created", account=account, actor=by, obj=inbox, name=name, channel=channel)
    return inbox


@transaction.atomic
def update_inbox(
    inbox: Inbox,
    *,
    name: str,
    config: dict[str, Any],
    by: Any = None,
    team: Team | None = None,
) -> Inbox:
    from storedesk.accounts.actions import audit

    name = name.strip()[:200]
    if not name:
        raise ActionError(gettext_noop("An inbox needs a name."))
    if team is not None and team.account_id != inbox.account_id:
        raise ActionError(gettext_noop("That team does not belong to this account."))
    inbox.name = name
    inbox.team = team
    inbox.config = _checked_config(inbox.channel, config)
    inbox.save(update_fields=["name", "team", "config", "updated_at"])
    audit("inbox.updated", account=inbox.account_id, actor=by, obj=inbox, name=name)
    return inbox


@transaction.atomic
def replace_inbox_config(inbox: Inbox, config: dict[str, Any], *, by: Any = None) -> Inbox:
    """Store a new config without other changes (secrets resealed under a new key, ...)."""
    Inbox.objects.filter(pk=inbox.pk).update(config=_checked_config(inbox.channel, config))
    inbox.config = config
    return inbox


def reseal_inbox_secret(inbox: Inbox) -> bool:
    """Seal the inbox's signing secret under the newest key (after a key rotation; a plain one
    gets sealed). False when it was already; raises core.sealing.Unreadable."""
    from storedesk.inbox.models import SEALER

    resealed = SEALER.reseal(inbox.secret)
    if resealed == inbox.secret:
        return False
    Inbox.objects.filter(pk=inbox.pk).update(secret=resealed)
    inbox.secret = resealed
    return True


@transaction.atomic
def rotate_inbox_secret(inbox: Inbox, *, by: Any = None) -> str:
    """A new signing secret, sealed; returns it plain (shown once). The old one stops working
    at once: the store's backend checks webhooks and signs identities with the new one, and a
    chat inbox's widget public key changes with it."""
    from storedesk.accounts.actions import audit
    from storedesk.inbox.models import SEALER, _new_secret

    secret = _new_secret()
    inbox.secret = SEALER.seal(secret)
    inbox.save(update_fields=["secret", "updated_at"])
    audit("inbox.secret_rotated", account=inbox.account_id, actor=by, obj=inbox)
    return secret


@transaction.atomic
def deactivate_inbox(inbox: Inbox, *, by: Any = None) -> Inbox:
    from storedesk.accounts.actions import audit

    if inbox.is_active:
        inbox.is_active = False
        inbox.save(update_fields=["is_active", "updated_at"])
        audit("inbox.deactivated", account=inbox.account_id, actor=by, obj=inbox)
    return inbox


def _clean_tag(name: str, color: str) -> tuple[str, str]:
    name = name.strip().lower()
    if not TAG_RE.match(name):
        raise ActionError(gettext_noop("A tag is 1-64 letters, digits, spaces or . : / - _"))
    color = (color or "#6b7280").strip()
    if not TAG_COLOR_RE.match(color):
        raise ActionError(gettext_noop("A colour looks like #1a2b3c."))
    return name, color.lower()


@transaction.atomic
def create_tag(account: Account, name: str, *, color: str = "#6b7280", by: Any = None) -> Tag:
    from storedesk.accounts.actions import audit

    name, color = _clean_tag(name, color)
    if Tag.objects.filter(account=account, name=name).exists():
        raise ActionError(gettext_noop("That tag already exists."))
    tag_row = Tag.objects.create(account=account, name=name, color=color)
    audit("tag.created", account=account, actor=by, obj=tag_row, name=name)
    return tag_row


@transaction.atomic
def update_tag(tag_row: Tag, *, name: str, color: str, by: Any = None) -> Tag:
    """Rename and/or recolour a tag; conversations keep it under the new name."""
    from storedesk.accounts.actions import audit

    name, color = _clean_tag(name, color)
    if Tag.objects.filter(account_id=tag_row.account_id, name=name).exclude(pk=tag_row.pk).exists():
        raise ActionError(gettext_noop("That tag already exists."))
    old = tag_row.name
    tag_row.name, tag_row.color = name, color
    tag_row.save(update_fields=["name", "color", "updated_at"])
    audit("tag.updated", account=tag_row.account_id, actor=by, obj=tag_row, old=old, new=name)
    return tag_row


@transaction.atomic
def delete_tag(tag_row: Tag, *, by: Any = None) -> None:
    """Remove a tag from every conversation and delete it."""
    from storedesk.accounts.actions import audit

    audit("tag.deleted", account=tag_row.account_id, actor=by, obj=tag_row, name=tag_row.name)
    tag_row.delete()
