"""A subscriber that does nothing, for bench/settings_subscribed.py."""


def noop(event_id: int) -> None:
    return None
