"""A small labelled set for tests that train their own model (seconds, not minutes)."""

from __future__ import annotations

SAMPLES: dict[str, list[str]] = {
    "order_status": [
        "where is my order", "has my package shipped yet", "my parcel still hasn't arrived",
        "when will my order 1001 be delivered", "tracking link for my order please",
        "it's been a week and no delivery", "is order #1002 on its way",
        "status of my order?", "my package is late", "did you send my order already",
        "I'm still waiting for my parcel", "where's my stuff",
    ],
    "cancel_order": [
        "cancel my order please", "I want to cancel order 1003", "please don't ship it, cancel",
        "can I still cancel my purchase", "I changed my mind, cancel the order",
        "cancel it before it ships", "how do I cancel an order", "stop my order",
        "I no longer want the order I placed", "cancellation of order #1004",
        "please cancel everything I bought", "cancel the order I made yesterday",
    ],
    "return_request": [
        "I want to return these shoes", "how do I send this back", "the dress doesn't fit, return",
        "need a return label", "I'd like to exchange for a bigger size",
        "the item arrived damaged and I want to return it", "can I return the jacket I bought",
        "return my order 1005", "wrong colour sent, sending it back",
        "start a return for me", "exchange this for a smaller size", "want to send back the lamp",
    ],
    "payment": [
        "can I pay with paypal", "my card was declined", "do you take cash on delivery",
        "I was charged twice", "payment failed at checkout", "can I pay in installments",
        "which payment methods do you accept", "is bank transfer possible",
        "my payment didn't go through", "do you accept apple pay",
        "charged two times for one order",
        "why was my card rejected",
    ],
    "smalltalk": [
        "hi", "hello there", "thanks!", "thank you so much", "bye", "good morning",
        "are you a bot?", "how are you", "ok", "cheers", "hey", "have a nice day",
    ],
    "other": [
        "what's the weather tomorrow", "are you hiring", "tell me a joke",
        "who won the football match", "can you do my homework", "what is the capital of france",
        "I want to partner with your company", "press inquiry about your ceo",
        "how do I fix my car engine", "recommend a good movie", "what's bitcoin price",
        "sing me a song",
    ],
}


def texts_and_labels(exclude_oos: bool = False) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, examples in SAMPLES.items():
        if exclude_oos and label == "other":
            continue
        texts.extend(examples)
        labels.extend([label] * len(examples))
    return texts, labels
