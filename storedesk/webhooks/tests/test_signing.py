from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from storedesk.webhooks.signing import sign, signature_headers, verify

SECRET = "whsec-harbor-and-vine"
BODY = b'{"event":"message.created","delivery_id":7}'
NOW = 1_800_000_000


def test_signature_is_hmac_sha256_over_timestamp_delivery_id_and_raw_body():
    # given the documented recipe, computed independently
    expected = hmac.new(SECRET.encode(), b"1800000000.7." + BODY, hashlib.sha256).hexdigest()
    # then our signer produces exactly that, with its scheme prefix
    assert sign(SECRET, NOW, 7, BODY) == f"v2={expected}"


def test_headers_carry_delivery_id_timestamp_and_a_verifiable_signature():
    # when a delivery is signed
    headers = signature_headers(SECRET, 7, BODY, now=NOW)
    # then the receiver finds the delivery id and can verify the body
    assert headers["X-Storedesk-Delivery"] == "7"
    assert headers["X-Storedesk-Timestamp"] == str(NOW)
    assert verify(SECRET, headers, BODY, now=NOW + 10)
    # header names are case-insensitive, and Django's META spelling works too
    lowered = {k.lower(): v for k, v in headers.items()}
    assert verify(SECRET, lowered, BODY, now=NOW)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    assert verify(SECRET, meta, BODY, now=NOW)
    values = (headers["X-Storedesk-Timestamp"], "7", headers["X-Storedesk-Signature"])
    assert verify(SECRET, values, BODY, now=NOW)


def test_a_captured_request_replayed_under_a_new_delivery_id_fails():
    # given an attacker captured a signed delivery
    headers = signature_headers(SECRET, 7, BODY, now=NOW)
    # when they resend it with a fresh delivery id (to slip past the receiver's dedupe)
    replay = {**headers, "X-Storedesk-Delivery": "8"}
    # then the signature no longer matches; nor with a dotted id that shifts the boundary
    assert not verify(SECRET, replay, BODY, now=NOW)
    assert not verify(SECRET, {**headers, "X-Storedesk-Delivery": "7.x"}, BODY, now=NOW)
    assert not verify(SECRET, {**headers, "X-Storedesk-Delivery": ""}, BODY, now=NOW)


def test_verification_fails_closed():
    headers = signature_headers(SECRET, 7, BODY, now=NOW)
    # wrong secret, altered body, stale or future timestamp
    assert not verify("another-secret", headers, BODY, now=NOW)
    assert not verify(SECRET, headers, BODY + b" ", now=NOW)
    assert not verify(SECRET, headers, BODY, now=NOW + 301)
    assert not verify(SECRET, headers, BODY, now=NOW - 301)
    # missing or malformed pieces
    assert not verify(SECRET, {}, BODY, now=NOW)
    assert not verify("", headers, BODY, now=NOW)
    assert not verify(SECRET, {**headers, "X-Storedesk-Timestamp": "soon"}, BODY, now=NOW)
    assert not verify(SECRET, {**headers, "X-Storedesk-Timestamp": "-5"}, BODY, now=NOW)
    unprefixed = headers["X-Storedesk-Signature"].removeprefix("v2=")
    assert not verify(SECRET, {**headers, "X-Storedesk-Signature": unprefixed}, BODY, now=NOW)
    assert not verify(SECRET, {**headers, "X-Storedesk-Signature": "v2="}, BODY, now=NOW)
    # a timestamp swapped under a valid signature does not verify either
    assert not verify(SECRET, {**headers, "X-Storedesk-Timestamp": str(NOW + 1)}, BODY, now=NOW)
    # nor the old v1 scheme, which did not sign the delivery id
    v1 = "v1=" + hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert not verify(SECRET, {**headers, "X-Storedesk-Signature": v1}, BODY, now=NOW)


def test_rotation_signs_with_both_secrets_and_either_verifies():
    headers = signature_headers(["new-secret", "old-secret"], 7, BODY, now=NOW)
    assert headers["X-Storedesk-Signature"].count("v2=") == 2
    assert verify("new-secret", headers, BODY, now=NOW)
    assert verify("old-secret", headers, BODY, now=NOW)
    assert not verify("third-secret", headers, BODY, now=NOW)


@given(
    secret=st.text(min_size=1, max_size=40),
    body=st.binary(max_size=300),
    other=st.binary(max_size=300),
)
def test_any_body_round_trips_and_any_change_breaks_it(secret, body, other):
    headers = signature_headers(secret, 1, body, now=NOW)
    assert verify(secret, headers, body, now=NOW)
    if other != body:
        assert not verify(secret, headers, other, now=NOW)
