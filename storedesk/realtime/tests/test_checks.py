"""`manage.py check` warns about a Redis layer whose reads time out before its blocking pop."""

from __future__ import annotations

from storedesk.realtime.checks import check_redis_layer_read_timeout

REDIS = "channels_redis.core.RedisChannelLayer"
URL = "redis://127.0.0.1:6379/0"


def _layer(hosts: list) -> dict:
    return {"default": {"BACKEND": REDIS, "CONFIG": {"hosts": hosts, "prefix": "x"}}}


def test_a_short_socket_timeout_is_reported(settings):
    # given a Redis layer whose socket timeout equals the 5 s blocking read
    settings.CHANNEL_LAYERS = _layer([{"address": URL, "socket_timeout": 5}])
    # then the check names the problem
    assert [m.id for m in check_redis_layer_read_timeout()] == ["realtime.W001"]
    settings.CHANNEL_LAYERS = _layer([URL + "?socket_timeout=2"])
    assert [m.id for m in check_redis_layer_read_timeout()] == ["realtime.W001"]


def test_a_longer_timeout_or_the_in_memory_layer_passes(settings):
    settings.CHANNEL_LAYERS = _layer([{"address": URL, "socket_timeout": 30}])
    assert check_redis_layer_read_timeout() == []
    settings.CHANNEL_LAYERS = _layer([URL + "?socket_timeout=30"])
    assert check_redis_layer_read_timeout() == []
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert check_redis_layer_read_timeout() == []
