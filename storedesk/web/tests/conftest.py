from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Rate-limit counters live in the cache (Redis on the scale profile): give every test its
    own key prefix so counters never leak between tests or test runs, without flushing Redis."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    for conf in caches.values():
        conf["KEY_PREFIX"] = prefix
        if conf["BACKEND"].endswith("LocMemCache"):
            conf["LOCATION"] = prefix
    settings.CACHES = caches
    yield
