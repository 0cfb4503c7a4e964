"""Every write the connectors make: inbox setup (typed, sealed config), integration keys,
resealing secrets. Inbound provider events are written in connectors/inbound.py.

Inbox rows themselves belong to the inbox app: these actions validate the connector's part and
then call the inbox's own actions (create_inbox, update_inbox, replace_inbox_config).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from pydantic import ValidationError

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Account, Agent, Team, hash_token
from storedesk.commerce.models import Store
from storedesk.connectors.base import ChannelConfig, Connector
from storedesk.connectors.models import IntegrationKey
from storedesk.connectors.registry import connector_for
from storedesk.connectors.secrets import is_sealed, reseal
from storedesk.core.errors import ActionError
from storedesk.core.sealing import Unreadable
from storedesk.inbox import actions as inbox_actions
from storedesk.inbox.models import Inbox

KEY_CHANNELS = ("api", "email")  # channels whose inbound endpoints take integration keys


def _setup_connector(kind: str) -> Connector:
    connector = connector_for(kind)
    if connector is None or connector.setup_form is None:
        raise ActionError(gettext_noop("That channel cannot be set up here."))
    return connector


def _typed(connector: Connector, config: ChannelConfig | dict[str, Any]) -> ChannelConfig:
    if isinstance(config, connector.config):
        return config
    try:
        return connector.config.model_validate(
            config.model_dump() if isinstance(config, ChannelConfig) else config
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ActionError(str(first.get("ctx", {}).get("error") or first["msg"])) from exc


def set_up_inbox(
    account: Account,
    kind: str,
    *,
    name: str,
    config: ChannelConfig | dict[str, Any],
    team: Team | None = None,
    store: Store | None = None,
    by: Agent | None = None,
) -> Inbox:
    """Create an inbox of a channel from the registry, its config checked by its schema."""
    connector = _setup_connector(kind)
    typed = _typed(connector, config)
    return inbox_actions.create_inbox(
        account, name=name, channel=kind, config=typed.stored(), team=team, store=store, by=by
    )


def change_inbox_setup(
    inbox: Inbox,
    *,
    name: str,
    config: ChannelConfig | dict[str, Any],
    team: Team | None = None,
    by: Agent | None = None,
) -> Inbox:
    connector = _setup_connector(inbox.channel)
    typed = _typed(connector, config)
    return inbox_actions.update_inbox(inbox, name=name, config=typed.stored(), team=team, by=by)


def _resealed(value: Any) -> tuple[Any, int]:
    if is_sealed(value):
        return reseal(value), 1
    if isinstance(value, dict):
        count = 0
        out = {}
        for k, v in value.items():
            out[k], n = _resealed(v)
            count += n
        return out, count
    return value, 0


def reseal_secrets() -> tuple[int, list[str]]:
    """Seal every stored connector secret under the newest key (after a key rotation).

    Returns (secrets resealed, problems). A secret no configured key opens is reported and
    left as it is.
    """
    total, problems = 0, []
    for inbox in Inbox.objects.order_by("pk").iterator():
        try:
            total += inbox_actions.reseal_inbox_secret(inbox)  # the inbox's signing secret
        except Unreadable as exc:
            problems.append(f"inbox {inbox.pk} ({inbox.name}): signing secret: {exc}")
        try:
            config, count = _resealed(inbox.config or {})
        except Unreadable as exc:
            problems.append(f"inbox {inbox.pk} ({inbox.name}): {exc}")
            continue
        if count:
            with transaction.atomic():
                inbox_actions.replace_inbox_config(inbox, config)
            total += count
    return total, problems


# --- Integration keys -----------------------------------------------------------------------


@transaction.atomic
def create_integration_key(
    inbox: Inbox, *, name: str = "Integration key", by: Agent | None = None
) -> tuple[IntegrationKey, str]:
    """A new key for posting into `inbox`; returns the row and the raw key (shown once)."""
    if inbox.channel not in KEY_CHANNELS:
        raise ActionError("Integration keys are for API and email inboxes.")
    name = (name or "").strip()[:100] or "Integration key"
    raw = IntegrationKey.generate_raw()
    key = IntegrationKey.objects.create(
        account_id=inbox.account_id, inbox=inbox, name=name, key_hash=hash_token(raw),
        hint=raw[:12], created_by=by,
    )
    audit("integration_key.created", account=inbox.account_id, actor=by, obj=key,
          inbox=inbox.pk, name=name, hint=key.hint)
    return key, raw


@transaction.atomic
def revoke_integration_key(key: IntegrationKey, *, by: Agent | None = None) -> IntegrationKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        audit("integration_key.revoked", account=key.account_id, actor=by, obj=key,
              inbox=key.inbox_id, hint=key.hint)
    return key


@transaction.atomic
def rotate_integration_key(
    key: IntegrationKey, *, by: Agent | None = None
) -> tuple[IntegrationKey, str]:
    """Revoke `key` and make a new one with the same name for the same inbox."""
    if key.revoked_at is not None:
        raise ActionError("That key is revoked; create a new one.")
    revoke_integration_key(key, by=by)
    return create_integration_key(key.inbox, name=key.name, by=by)


def touch_integration_key(key_id: int, when: datetime) -> None:
    IntegrationKey.objects.filter(pk=key_id).update(last_used_at=when)
