"""Named people in two accounts, shared by tests (and handy in a shell).

Harbor & Vine (account A, a home-goods store): Olivia the owner, Ahmet an agent, Lina a light
agent on the Returns team. Northwind (account B): Bruno, an admin who must never see A's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from storedesk.accounts.actions import add_member, create_account, create_team, set_team_members
from storedesk.accounts.models import Account, Membership, Role, Team
from storedesk.commerce.models import Store
from storedesk.inbox.models import Inbox

PASSWORD = "correct-horse-battery"  # noqa: S105 - test-only persona password


@dataclass
class Personas:
    harbor: Account
    olivia: Membership  # owner
    ahmet: Membership  # agent
    lina: Membership  # light agent, Returns team only
    returns: Team
    harbor_store: Store
    harbor_api: Inbox
    harbor_email: Inbox
    harbor_chat: Inbox
    northwind: Account
    bruno: Membership  # admin of the other account
    northwind_api: Inbox


def create_personas() -> Personas:
    harbor = create_account("Harbor & Vine", languages=["en", "pl", "tr", "id", "th"])
    olivia = add_member(harbor, "olivia@harbor.test", role=Role.OWNER, name="Olivia Owner",
                        password=PASSWORD)
    ahmet = add_member(harbor, "ahmet@harbor.test", role=Role.AGENT, name="Ahmet Yilmaz",
                       password=PASSWORD, language="tr")
    lina = add_member(harbor, "lina@harbor.test", role=Role.LIGHT_AGENT, name="Lina Light",
                      password=PASSWORD)
    returns = create_team(harbor, "Returns")
    set_team_members(returns, [lina, ahmet])
    store = Store.objects.create(account=harbor, slug="harbor", name="Harbor & Vine")
    harbor_api = Inbox.objects.create(account=harbor, name="Harbor API", channel="api",
                                      store=store)
    harbor_email = Inbox.objects.create(
        account=harbor, name="Support email", channel="email", store=store,
        config={"address": "support@harbor.test"},
    )
    harbor_chat = Inbox.objects.create(account=harbor, name="Website chat",
                                       channel="webchat", store=store)
    northwind = create_account("Northwind", languages=["en"])
    bruno = add_member(northwind, "bruno@northwind.test", role=Role.ADMIN, name="Bruno North",
                       password=PASSWORD)
    northwind_api = Inbox.objects.create(account=northwind, name="Northwind API",
                                         channel="api")
    return Personas(
        harbor=harbor, olivia=olivia, ahmet=ahmet, lina=lina, returns=returns,
        harbor_store=store, harbor_api=harbor_api, harbor_email=harbor_email,
        harbor_chat=harbor_chat, northwind=northwind, bruno=bruno, northwind_api=northwind_api,
    )
