"""One sealing implementation (core/sealing.py) for every kind of stored secret: values sealed
by the three implementations it replaced still open (fixed tokens made by the old code paths,
with the same keys), each kind keeps its own salt, and the per-process cache of opened values
follows a rotation at once."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from storedesk.commerce import credentials
from storedesk.commerce.platforms.base import PlatformError
from storedesk.connectors import secrets as connector_secrets
from storedesk.core import sealing
from storedesk.core.sealing import Sealer, Unreadable
from storedesk.inbox.models import SEALER as INBOX_SEALER
from storedesk.webhooks.models import SEALER as WEBHOOK_SEALER

SECRET_KEY = "fixed-secret-key-for-sealing-compat-" + "k" * 30
FALLBACK = "old-fallback-key-for-sealing-compat-" + "f" * 30
DEDICATED = "vM7m9VtAS0H3pRdaQ2Yb0U3b6xw6o2R7dcd0uH9b1qk="

# Sealed before the change, by connectors/secrets.py, commerce/credentials.py and the old
# core/sealing.py (inbox and webhook salts), each value "plain-<kind>-<how>":
OLD_TOKENS = {
    # under the key derived from SECRET_KEY
    ("connectors", "secret"): "enc:v1:gAAAAABrDlDpWlIF7YRXFcsZIQTDYF6lu492Xc2D-sB0WQOgW9z7VbwErONssOQ3l60oZpF0LYxhg3QWnIWBl-U1wz7zrLwj_bSnS4Y8_DFIThLCzgh_WZ4=",  # noqa: E501
    ("commerce", "secret"): "enc:v1:gAAAAABrDlDpohG5ATNWg061S_kMHV4n_sS9lPr7e_0oKd5RBcr1XcBzCzhx5U84Us-i89p3QupllPXi_1Qy418PkjpWpUeZ-vIQla9l8KRjouXjbr84xsw=",  # noqa: E501
    ("inbox", "secret"): "enc:v1:gAAAAABrDlDpbWyDqX1YDKXFJQYd-mUXWegf-ZbjsI5tRgHeDx_AbYMcQ6uCkXUXid1Fktu3xJFl_KiQSFix97CpsY7_fIuF5qp9kem7EJW_YcmPPTT_QEc=",  # noqa: E501
    ("webhooks", "secret"): "enc:v1:gAAAAABrDlDpvIbUcgNGXCcA-0XvJrLT-kAva-EQsHbPtvRLfoyyVvAKTxgXC-sMhWvNYglm6iLEr8W0edXi2oHZDvadc0ghnjF7ltM2OO-12McyrvgZpm0=",  # noqa: E501
    # under the key derived from a fallback secret key
    ("connectors", "fallback"): "enc:v1:gAAAAABrDlDpgAf8k0HGKYpujah6PrkrynCRbVMStDCy8-LaXZyHMcRQnBJnfMrYH70sgtJByTdkErFf4SJtnTIjnsY1jMd_JZQYgaTAEAnB29JSoboYaFU=",  # noqa: E501
    ("commerce", "fallback"): "enc:v1:gAAAAABrDlDpc7O6BZL2xuZ5p5xhCHcpAm6qihHgGHRD8R3KKdU_xRo210zJjSUBEEuLRHZOpNj4DcZKK0Q6hjmjj7Kh-3qrQxPSRR-PKeerEjuRYt5PfU0=",  # noqa: E501
    ("inbox", "fallback"): "enc:v1:gAAAAABrDlDpNZCENSRnwm2uBTsAZqIiZ6ELk9EQf5ppRXX00ZviDzAacLGUwfOf8zg-F-8VrKHDo16iHIsIG2bGKmsekWZfyIWGxZcrN3xtTygFwBSr16Y=",  # noqa: E501
    ("webhooks", "fallback"): "enc:v1:gAAAAABrDlDp9HodcYm8lma_0TSf9PyXIXl7yOSMMoh2qsAye4LMCTGbBMSxxl6L5Y_PDfOr0HlbK7yk7n2tsJkDnRO8oQbji4mNohvF_G5AeKzzUM_YM1k=",  # noqa: E501
    # under a dedicated key (STOREDESK_ENCRYPTION_KEYS)
    ("connectors", "dedicated"): "enc:v1:gAAAAABrDlDpVBMwD4POoVYenABO-380V-QXEa37Sh7ji2GFcUouY0DpJvbmh-00qAVBe-V-ZA9f7I15_edLZ0TM4Zao_4BufDP_82fWJtdaNHb5CNKRDDU=",  # noqa: E501
    ("commerce", "dedicated"): "enc:v1:gAAAAABrDlDpZaiS0wyukPiq4mLII94z0uqFNDhhBnTyozc5ak1huOE6TH9I3nBHVWrQEKRdjgO1uFF6mkP89GypxvG_FnBagRjtF_pSRLQeetPuXryCD0U=",  # noqa: E501
    ("inbox", "dedicated"): "enc:v1:gAAAAABrDlDpo9J_8JMZzbF4YfPPxRUxyQ-610XmtUeea0cheCj1Nbzy3UKKz6O4SedjDJHA10AWbqo5y7t7Rqf9bEEFOaUu2T9bRf7GtjqMUKNN_oKorMM=",  # noqa: E501
    ("webhooks", "dedicated"): "enc:v1:gAAAAABrDlDp2vol-9tg54Me2lfJgsD3wH0ZilAn7BRiJ2DOcz-waEi3H1LBmLgDn-jCm9Diyaq8EMg93KZ6WM-KjmStqHx7j7msHm0Sy8RvW4tjzJ2vSX8=",  # noqa: E501
}
OPENERS = {
    "connectors": connector_secrets.reveal,
    "commerce": credentials.reveal,
    "inbox": INBOX_SEALER.reveal,
    "webhooks": WEBHOOK_SEALER.reveal,
}


@pytest.fixture
def old_keys(settings):
    settings.SECRET_KEY = SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = [FALLBACK]
    settings.ENCRYPTION_KEYS = [DEDICATED]
    return settings


@pytest.mark.parametrize(("kind", "how"), sorted(OLD_TOKENS))
def test_values_sealed_by_the_old_implementations_open(old_keys, kind, how):
    assert OPENERS[kind](OLD_TOKENS[kind, how]) == f"plain-{kind}-{how}"


def test_each_kind_keeps_its_own_salt(settings):
    settings.SECRET_KEY = SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = [FALLBACK]
    settings.ENCRYPTION_KEYS = []  # only derived keys: the salt is what tells kinds apart
    # a connector secret does not open as an inbox or webhook secret, nor as a store credential
    connector = OLD_TOKENS["connectors", "secret"]
    for sealer in (INBOX_SEALER, WEBHOOK_SEALER):
        with pytest.raises(Unreadable):
            sealer.reveal(connector)
    with pytest.raises(PlatformError, match="rotated away"):
        credentials.reveal(connector)
    # and a new seal is in the same format, opened by its own kind only
    sealed = connector_secrets.seal("new-plain")
    assert sealed.startswith("enc:v1:gAAAAA") and connector_secrets.reveal(sealed) == "new-plain"
    with pytest.raises(Unreadable):
        INBOX_SEALER.reveal(sealed)


def test_reseal_moves_old_values_to_the_newest_key(old_keys):
    new_key = Fernet.generate_key().decode()
    old_keys.ENCRYPTION_KEYS = [new_key, DEDICATED]
    resealed = connector_secrets.reseal(OLD_TOKENS["connectors", "fallback"])
    assert credentials.reseal("plain-store-token").startswith("enc:v1:")  # plain gets sealed
    # when every old key is gone, the resealed value still opens under the new key alone
    old_keys.ENCRYPTION_KEYS = [new_key]
    old_keys.SECRET_KEY = "a-brand-new-secret-key-" + "n" * 40
    old_keys.SECRET_KEY_FALLBACKS = []
    assert connector_secrets.reveal(resealed) == "plain-connectors-fallback"
    with pytest.raises(Unreadable):
        connector_secrets.reveal(OLD_TOKENS["connectors", "fallback"])
    with pytest.raises(PlatformError):
        credentials.reseal(OLD_TOKENS["commerce", "secret"])


def test_opened_values_are_cached_per_key_set_and_a_rotation_takes_effect_at_once(settings):
    settings.SECRET_KEY = SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = []
    settings.ENCRYPTION_KEYS = []
    sealer = Sealer(b"storedesk.core.tests.sealing")
    sealed = sealer.seal("cached-plain")
    # the first reveal opens the value; the next ones are served from the process cache
    assert sealer.reveal(sealed) == "cached-plain"
    hits = sealing._open.cache_info().hits
    assert sealer.reveal(sealed) == "cached-plain"
    assert sealing._open.cache_info().hits == hits + 1
    # when the key that sealed it is rotated away, the cached value is not served: it fails
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "n" * 40
    with pytest.raises(Unreadable):
        sealer.reveal(sealed)
    # and when the key comes back (as a fallback), it opens again
    settings.SECRET_KEY_FALLBACKS = [SECRET_KEY]
    assert sealer.reveal(sealed) == "cached-plain"
    # a value that is not sealed is refused, never opened
    with pytest.raises(Unreadable, match="not sealed"):
        sealer.reveal("plain-text")
