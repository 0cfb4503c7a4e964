"""The demo's playbook: the help center's internal lost-parcel procedure linked to tags and an
intent (lives here, above both the workflow and the help center)."""

from __future__ import annotations

from storedesk.accounts.models import Account, Membership

LOST_PARCEL_PLAYBOOK = "Lost or damaged parcel"


def load_playbooks_demo(account: Account, owner: Membership) -> None:
    """The playbook "Lost or damaged parcel": the help center's internal procedure shown on
    conversations tagged damaged / where-is-my-order (after `load_demo_help_center`)."""
    from storedesk.helpcenter.models import Article
    from storedesk.workflow.models import Playbook
    from storedesk.workflow.playbooks import PlaybookSpec, create_playbook

    article = Article.objects.filter(account=account, slug="lost-parcel-procedure",
                                     visibility="internal").first()
    if article is None or Playbook.objects.filter(account=account,
                                                  name=LOST_PARCEL_PLAYBOOK).exists():
        return
    create_playbook(owner, PlaybookSpec(
        name=LOST_PARCEL_PLAYBOOK, article_id=article.pk, intents=["complaint"],
        tags=["damaged", "where-is-my-order"]))
