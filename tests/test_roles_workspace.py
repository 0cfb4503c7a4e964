"""Every workspace mutation for every role: the same permission table as the API, seen from
the browser's side (a refused role gets a 404, as the workspace never reveals what it hides).

"allowed" means the view let the request through to its form and action (a 200, a redirect,
or a 400 for this deliberately incomplete form); "denied" is a 404 (or 403). Every POST-only
URL of the workspace must have its row: the walk finds them by asking each URL for a GET.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from storedesk.accounts.actions import invite_member
from storedesk.commerce.actions import set_shipping_rate
from storedesk.helpcenter.actions import ensure_help_center
from storedesk.helpcenter.models import ArticleRevision
from storedesk.inbox.models import Conversation, Tag
from storedesk.testing.personas import PASSWORD
from storedesk.workflow.actions import create_macro
from storedesk.workflow.models import AssignmentPool
from tests.test_api_tenancy import harbor  # noqa: F401
from tests.test_roles import ROLES, seats  # noqa: F401

A, D = "allow", "deny"
# url name -> owner, admin, agent, light agent, other account (Bruno, Northwind's admin).
TABLE: dict[str, tuple[str, str, str, str, str]] = {
    "inbox:read": (A, A, A, D, D),
    "inbox:reply": (A, A, A, D, D),
    "inbox:note": (A, A, A, D, D),
    "inbox:assign": (A, A, A, D, D),
    "inbox:status": (A, A, A, D, D),
    "inbox:priority": (A, A, A, D, D),
    "inbox:tag": (A, A, A, D, D),
    "inbox:untag": (A, A, A, D, D),
    "inbox:retry": (A, A, A, D, D),
    "inbox:bulk": (A, A, A, A, A),  # acts only on what the caller sees (tested in workspace)
    "inbox:signatures": (A, A, A, A, A),  # their own; inbox ones admins only (tested there)
    "inbox:bulk_undo": (A, A, A, A, A),  # only the caller's own signed token (tested there)
    "contacts:update": (A, A, A, A, D),
    "contacts:merge": (A, A, A, D, D),
    "settings:agent_invite": (A, A, D, D, A),
    "settings:agent_role": (A, A, D, D, D),
    "settings:agent_deactivate": (A, A, D, D, D),
    "settings:invitation_revoke": (A, A, D, D, D),
    "settings:team_create": (A, A, D, D, A),
    "settings:team_members": (A, A, D, D, D),
    "settings:account": (A, A, D, D, A),
    "settings:inbox_edit": (A, A, D, D, D),
    "settings:inbox_deactivate": (A, A, D, D, D),
    "settings:inbox_rotate_secret": (A, A, D, D, D),
    "settings:inbox_key_create": (A, A, D, D, D),
    "settings:inbox_key_rotate": (A, A, D, D, D),
    "settings:inbox_key_revoke": (A, A, D, D, D),
    "settings:inbound_event_retry": (A, A, D, D, D),
    # email channel: the walk's inbox is an API inbox, so "test connection" is a 404 for all
    # (admins testing an email inbox: connectors/email/tests/test_settings.py); dead letters:
    # retry before delete
    "settings:email_test_connection": (D, D, D, D, D),
    "settings:email_oauth_start": (D, D, D, D, D),
    "settings:email_dead_letter_retry": (A, A, D, D, D),
    "settings:email_dead_letter_delete": (A, A, D, D, D),
    "settings:macro_create": (A, A, D, D, A),
    "settings:macro_edit": (A, A, D, D, D),
    "settings:macro_delete": (A, A, D, D, D),
    "settings:tag_create": (A, A, D, D, A),
    "settings:tag_update": (A, A, D, D, D),
    "settings:tag_delete": (A, A, D, D, D),
    # order actions in the conversation's orders panel (h6-commerce); on the harbor
    # conversation, which the light agent does not see
    "commerce:refund": (A, A, A, D, D),
    "commerce:cancel": (A, A, A, D, D),
    "commerce:address": (A, A, A, D, D),
    "commerce:lines": (A, A, A, D, D),
    "commerce:lines_preview": (A, A, A, D, D),
    "commerce:return": (A, A, A, D, D),
    "commerce:decide": (A, A, A, D, D),
    # store settings (admins): on harbor's custom store; a deleted rate is gone, so last
    "settings:store_test": (A, A, D, D, D),
    "settings:store_sync": (A, A, D, D, D),
    "settings:store_policy": (A, A, D, D, D),
    "settings:store_rate": (A, A, D, D, D),
    "settings:store_rate_delete": (A, A, D, D, D),
    "inbox:draft": (A, A, A, D, D),
    "inbox:composer_preview": (A, A, A, D, D),
    "inbox:cancel_send": (A, A, A, D, D),
    # outbound webhooks (admins); delete last, the routes before it need the subscription
    "settings:webhook_rotate": (A, A, D, D, D),
    "settings:webhook_redeliver": (A, A, D, D, D),
    "settings:webhook_delete": (A, A, D, D, D),
    # help center editing (admins); the composer tool follows the conversation's visibility
    # an empty form names no store: 404 for everyone (creating is covered in helpcenter tests)
    "helpcenter_admin:create": (D, D, D, D, D),
    "helpcenter_admin:settings": (A, A, D, D, D),
    "helpcenter_admin:category_save": (A, A, D, D, D),
    "helpcenter_admin:image_upload": (A, A, D, D, D),
    "helpcenter_admin:revision_restore": (A, A, D, D, D),
    "helpcenter_admin:article_delete": (A, A, D, D, D),
    "helpcenter_tools:article_from_reply": (A, A, A, D, D),
    # the assistant: settings (admins, each in their own account) and the conversation's
    # panel; the walk names no suggestion (404 for all; sending one: assistant tests)
    "assistant:inbox_mode": (A, A, D, D, D),
    "assistant:permissions": (A, A, D, D, A),
    "assistant:retrain": (A, A, D, D, A),
    "assistant:use_shipped": (A, A, D, D, A),
    "assistant:suggestion": (D, D, D, D, D),
    "assistant:resume": (A, A, A, D, D),
    "assistant:label": (A, A, A, D, D),
    # workflow settings (admins): SLA policies, team hours, rules, auto-assignment
    "workflow_settings:sla_policy_delete": (A, A, D, D, D),
    "workflow_settings:team_hours_delete": (A, A, D, D, D),
    "workflow_settings:rule_delete": (A, A, D, D, D),
    "workflow_settings:pool_delete": (A, A, D, D, D),
    "workflow_settings:profile_save": (A, A, D, D, D),
    "workflow_settings:escalation_plan_delete": (A, A, D, D, D),
    "workflow_settings:playbook_delete": (A, A, D, D, D),
    # follow-ups on the harbor conversation (the light agent does not see it): an empty form is
    # refused (400); the scheduled reply is cancelled before "send now", which then refuses
    "followups:schedule": (A, A, A, D, D),
    "followups:edit": (A, A, A, D, D),
    "followups:cancel": (A, A, A, D, D),
    "followups:send_now": (A, A, A, D, D),
    "followups:remind": (A, A, A, D, D),
    "followups:cancel_reminder": (A, A, A, D, D),
}
# Personal or public pages, not role-dependent: sign-in, password reset, own tokens, language.
NOT_ROLE_BASED = {"accounts", "connectors", "helpcenter", None}


def _patterns(patterns=None, prefix="", namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("api/"):
                continue
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern),
                                 pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield namespace, f"{namespace}:{pattern.name}", prefix + str(pattern.pattern)


@pytest.fixture
def ids(personas, harbor):  # noqa: F811
    macro = create_macro(personas.harbor, name="Thanks", text="Thank you!")
    help_center = ensure_help_center(personas.harbor_store)
    invitation, _ = invite_member(personas.harbor, "new@harbor.test", by=personas.olivia.agent)
    pool = AssignmentPool.objects.create(account=personas.harbor, inbox=personas.harbor_email)
    rate = set_shipping_rate(personas.harbor_store, method="Standard", cost=Decimal("4.90"),
                             min_days=2, max_days=5)
    return {
        **harbor,
        "display_id": Conversation.objects.get(pk=harbor["conversation_id"]).display_id,
        "membership_id": personas.ahmet.pk,
        "invitation_id": invitation.pk,
        "team_id": personas.returns.pk,
        "macro_id": macro.pk,
        "tag_id": Tag.objects.get(account=personas.harbor, name="vip").pk,
        "channel": "api",
        "kind": "api",
        "pk": harbor["conversation_id"],
        "hc": help_center.slug,
        "hc_id": help_center.pk,
        "lang": "en",
        "mode": "reply",
        "category": "none",
        "article": "returns",
        "key": "none",
        "token": "none",  # a signed image URL's token (workspace/images.py)
        "letter_id": harbor["dead_letter_id"],
        "rate_id": rate.pk,
        "suggestion_id": 987654321,
        "pool_id": pool.pk,
        "revision_id": ArticleRevision.objects.filter(
            translation__article_id=harbor["article_id"]).earliest("pk").pk,
    }


def _url(route: str, ids: dict) -> str:
    def value(match: re.Match[str]) -> str:
        return str(ids[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def signed_in(membership) -> Client:
    client = Client()
    assert client.login(email=membership.agent.email, password=PASSWORD)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_workspace_mutation_for_every_role(role, seats, ids):  # noqa: F811
    client = signed_in(seats[role])
    column = ROLES.index(role)
    routes = {name: route for _ns, name, route in _patterns()}
    for name, expected in TABLE.items():
        response = client.post(_url(routes[name], ids), {})
        outcome = D if response.status_code in (403, 404) else A
        assert response.status_code < 500, (role, name)
        assert outcome == expected[column], (role, name, response.status_code)


def test_every_post_only_workspace_url_is_in_the_table(personas, ids):
    owner = signed_in(personas.olivia)
    missing = []
    for namespace, name, route in _patterns():
        if namespace in NOT_ROLE_BASED or name in TABLE:
            continue
        if owner.get(_url(route, ids)).status_code == 405:
            missing.append(name)
    assert missing == []
