"""Scale profile: many server processes share the Redis channel layer."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from storedesk.realtime.tests.conftest import WAIT

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="needs REDIS_URL: the scale profile's Redis layer; the embedded in-memory layer "
        "only reaches sockets of its own process, so there is no second process to test",
    ),
]

MANAGE = Path(settings.BASE_DIR) / "manage.py"


async def test_an_event_published_by_another_process_reaches_this_process(
    personas, sockets, layer_prefix
):
    # given olivia connected to a server process (this test process)
    olivia = await sockets["open"](personas.olivia)
    # when a second process (a worker, another web server) publishes to Harbor
    code = (
        "from storedesk.realtime.publish import publish; "
        f"publish({personas.harbor.pk}, "
        "{'type': 'conversation.updated', 'conversation': {'id': 424242, 'team_id': None, "
        "'assignee_id': None, 'status': 'resolved'}})"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env["STOREDESK_CACHE_PREFIX"] = layer_prefix  # the same Redis keys as this test's layer
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(MANAGE), "shell", "-c", code, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    # then olivia's socket in this process receives it
    event = await olivia.receive_json_from(timeout=WAIT)
    assert event["type"] == "conversation.updated"
    assert event["conversation"]["id"] == 424242


async def test_an_idle_socket_keeps_listening_past_the_layers_blocking_read(personas, sockets):
    # given olivia's socket idle for longer than one blocking Redis read (BZPOPMIN timeout);
    # redis-py >= 8 defaults socket_timeout to 5 s, which must not cut that read short
    olivia = await sockets["open"](personas.olivia)
    await asyncio.sleep(RedisChannelLayer.brpop_timeout + 1.5)
    # when an event is published
    from storedesk.realtime.tests.conftest import send_sentinel

    sentinel = await send_sentinel(personas.harbor.pk)
    # then the socket is still alive and delivers it
    assert await olivia.receive_json_from(timeout=WAIT) == sentinel


async def test_a_burst_of_group_joins_waits_for_connections_instead_of_failing(layer_prefix):
    """redis-py >= 8 raises "Too many connections" for the 101st concurrent command of an
    asyncio pool; channels_redis takes a connection per group_add, so 5,000 widgets
    reconnecting at once crashed their consumers (bench/widget_ws.py). The layer's pool waits."""
    from channels.layers import get_channel_layer

    from storedesk.realtime.layers import RedisLayer

    layer = get_channel_layer()
    assert isinstance(layer, RedisLayer)
    small = RedisLayer(hosts=layer.hosts, prefix=f"{layer_prefix}:burst", pool_size=4)
    channels = [await small.new_channel() for _ in range(150)]
    # when 150 sockets join their groups at once over 4 connections
    await asyncio.gather(*(small.group_add(f"burst-{n}", c) for n, c in enumerate(channels)))
    # then every join went through: each group reaches its socket
    await small.group_send("burst-149", {"type": "hello"})
    assert (await asyncio.wait_for(small.receive(channels[149]), WAIT))["type"] == "hello"
    await small.flush()
