"""Fixtures of the email channel's tests: one real Dovecot per test session (per xdist worker),
with a fresh mailbox user for each test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from storedesk.testing.dovecot import DovecotServer, available

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    if not available():
        pytest.fail("Dovecot is not installed: apt-get install dovecot-imapd (see .ci/run)")
    users = {f"support{n}@harbor.test": f"pw-support{n}@harbor.test" for n in range(1, 301)}
    with DovecotServer(users=users) as server:
        yield server


@pytest.fixture
def mailbox(dovecot: DovecotServer) -> str:
    """A new, empty mailbox on the session's Dovecot; its password is "pw-<user>"."""
    return f"support{next(_numbers)}@harbor.test"
