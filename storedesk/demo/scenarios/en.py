"""Demo conversations in English (see storedesk.demo.data for the scenario format)."""

from __future__ import annotations

from typing import Any

SCENARIOS: list[dict[str, Any]] = [
    {
        "key": "en-where-is-my-order", "inbox": "email", "language": "en", "hours_ago": 76,
        "shopper": {"id": "maya.chen@example.net", "name": "Maya Chen",
                    "email": "maya.chen@example.net"},
        "subject": "Where is my order LL-10421?",
        "steps": [
            {"at": 0, "in": "Hi, I ordered the sage linen duvet set (order LL-10421) eight days "
                            "ago and the tracking page hasn't moved since Monday. Is it lost?"},
            {"at": 22, "reply": "Hi Maya, thanks for your patience! The parcel is at the DPD depot "
                                "in Leipzig and is scheduled for delivery tomorrow between 10:00 "
                                "and 14:00. You'll get a text from DPD in the morning.",
             "by": "alex"},
            {"at": 1460, "in": "It arrived, and it's gorgeous. Thank you!"},
        ],
        "assignee": "alex", "team": "Support", "tags": ["where-is-my-order"],
        "priority": "normal", "status": "resolved",
    },
    {
        "key": "en-damaged-throw", "inbox": "email", "language": "en", "hours_ago": 5,
        "shopper": {"id": "oliver.grant@example.org", "name": "Oliver Grant",
                    "email": "oliver.grant@example.org"},
        "subject": "Wool throw arrived torn",
        "steps": [
            {"at": 0, "in": "Hello, the herringbone wool throw from order LL-10577 arrived with a "
                            "long tear along the fringe. Photo attached. I'd like a replacement, "
                            "please - it's a gift for Saturday.",
             "attachments": ["torn-throw.png"]},
            {"at": 11, "note": "Photo confirms a manufacturing fault. @kasia can Returns approve "
                               "an express replacement without waiting for the return?",
             "by": "alex"},
            {"at": 25, "reply": "Oliver, I'm so sorry about that. We're sending a new throw by "
                                "express today so it arrives before Saturday. A prepaid return "
                                "label for the damaged one is on its way by email - no rush.",
             "by": "kasia"},
        ],
        "assignee": "kasia", "team": "Returns", "tags": ["damaged", "replacement"],
        "priority": "high", "status": "open",
    },
    {
        "key": "en-shipping-cost", "inbox": "chat", "language": "en", "hours_ago": 30,
        "shopper": {"id": "visitor-7f3a91", "name": "Priya", "email": ""},
        "steps": [
            {"at": 0, "in": "hi! how much is shipping to Canada?"},
            {"at": 2, "reply": "Hi Priya! Shipping to Canada is EUR 14.90 and free on orders "
                               "over EUR 120. Delivery takes 5-8 business days.", "by": "alex"},
            {"at": 4, "in": "great, thanks"},
        ],
        "assignee": "alex", "tags": ["shipping"], "priority": "low", "status": "resolved",
    },
    {
        "key": "en-compliment", "inbox": "chat", "language": "en", "hours_ago": 98,
        "shopper": {"id": "visitor-c02d44", "name": "Hannah Brooks",
                    "email": "hannah.brooks@example.com"},
        "steps": [
            {"at": 0, "in": "Just wanted to say the stonewashed linen sheets are the best I've "
                            "ever slept in. Ordering a second set!"},
            {"at": 6, "reply": "That made our day, Hannah - thank you! We'll pass it on to the "
                               "weavers.", "by": "alex"},
        ],
        "assignee": "alex", "tags": ["compliment"], "priority": "low", "status": "closed",
    },
    {
        "key": "en-cancel-order", "inbox": "api", "language": "en", "hours_ago": 2,
        "shopper": {"id": "customer-2207", "name": "Daniel Okafor",
                    "email": "daniel.okafor@example.net"},
        "steps": [
            {"at": 0, "in": "Please cancel order LL-10602, I ordered the wrong size of the "
                            "fitted sheet. It was placed 10 minutes ago."},
            {"at": 8, "note": "Order LL-10602 is still unfulfilled. Cancelling it in the store "
                              "admin; the refund goes back to the card in 3-5 days.",
             "by": "alex"},
        ],
        "assignee": "alex", "team": "Support", "tags": ["cancellation"],
        "priority": "urgent", "status": "pending",
    },
    {
        "key": "en-change-address", "inbox": "email", "language": "en", "hours_ago": 9,
        "shopper": {"id": "lucy.martin@example.com", "name": "Lucy Martin",
                    "email": "lucy.martin@example.com"},
        "subject": "Change delivery address for LL-10588",
        "steps": [
            {"at": 0, "in": "Hi, I'm moving this weekend. Could you send order LL-10588 to "
                            "14 Orchard Lane, Bristol BS6 5QE instead?"},
            {"at": 35, "reply": "Hi Lucy, done - LL-10588 will now go to 14 Orchard Lane, "
                                "Bristol BS6 5QE. You'll receive an updated confirmation "
                                "shortly.", "by": "alex"},
        ],
        "assignee": "alex", "tags": ["address-change"], "priority": "normal", "status": "pending",
    },
]
