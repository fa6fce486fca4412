"""Identities and permission tokens."""

from __future__ import annotations

import time

import pytest

from net_sdk import ChannelError, Identity, IdentityError, TokenError, Token, channel_hash


def test_generate_and_round_trip_the_seed() -> None:
    a = Identity.generate()
    b = Identity.from_seed(a.to_bytes())
    assert len(a.to_bytes()) == 32 and len(a.entity_id) == 32
    assert (a.entity_id, a.node_id, a.origin_hash) == (b.entity_id, b.node_id, b.origin_hash)
    assert a.entity_id != Identity.generate().entity_id
    assert 0 <= a.node_id < 2**64 and 0 <= a.origin_hash < 2**64
    assert "Identity(entity_id=" in repr(a)


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_wrong_seed_length(length: int) -> None:
    with pytest.raises(IdentityError) as err:
        Identity.from_seed(bytes(length))
    assert err.value.kind == "invalid_length"
    assert f"got {length}" in str(err.value)


def test_sign_and_verify() -> None:
    me = Identity.generate()
    sig = me.sign(b"hello")
    assert len(sig) == 64
    me.verify(b"hello", sig)
    with pytest.raises(IdentityError) as err:
        me.verify(b"hellO", sig)
    assert err.value.kind == "invalid_signature"
    with pytest.raises(IdentityError) as err:
        me.verify(b"hello", sig[:10])
    assert err.value.kind == "invalid_length"


def test_issue_parse_verify() -> None:
    issuer, grantee = Identity.generate(), Identity.generate()
    token = issuer.issue_token(
        subject=grantee.entity_id, scope=["subscribe"], channel="sensors/temp", ttl_seconds=300, delegation_depth=0
    )
    assert len(token.bytes) == 161 and bytes(token) == token.bytes
    token.verify()
    parsed = Token.from_bytes(token.bytes)
    assert parsed == token and hash(parsed) == hash(token)
    assert parsed.issuer == issuer.entity_id and parsed.subject == grantee.entity_id
    assert parsed.scope == ["subscribe"] and parsed.scope_bits == 2
    assert parsed.channel_hash == channel_hash("sensors/temp")
    assert parsed.not_after - parsed.not_before == 300
    assert abs(parsed.not_before - time.time()) < 5
    assert parsed.delegation_depth == 0 and len(parsed.signature) == 64
    assert parsed.signing_message().startswith(b"net token v1")
    assert token.grants(["subscribe"], "sensors/temp")
    assert not token.grants(["publish"], "sensors/temp")
    assert not token.grants(["subscribe"], "sensors/other")
    assert not token.is_expired_at(parsed.not_before) and token.is_expired_at(parsed.not_after)
    assert "Token(scope=subscribe" in repr(token)


def test_tampered_tokens_are_refused() -> None:
    issuer = Identity.generate()
    token = issuer.issue_token(subject=Identity.generate().entity_id, scope=["publish"], channel="c", ttl_seconds=60)
    for offset in (0, 40, 64, 68, 75, 88, 95, 100, 160):
        bad = bytearray(token.bytes)
        bad[offset] ^= 0x01
        with pytest.raises(TokenError) as err:
            Token.from_bytes(bytes(bad)).verify()
        assert err.value.kind in ("invalid_signature", "invalid_format"), offset
    for wrong in (b"", token.bytes[:160], token.bytes + b"\0"):
        with pytest.raises(TokenError) as err:
            Token.from_bytes(wrong)
        assert err.value.kind == "invalid_format"


def test_validity_window() -> None:
    token = Identity.generate().issue_token(
        subject=Identity.generate().entity_id, scope=["subscribe"], channel="c", ttl_seconds=10
    )
    with pytest.raises(TokenError) as err:
        token.verify_at(token.not_after)
    assert err.value.kind == "expired"
    with pytest.raises(TokenError) as err:
        token.verify_at(token.not_before - 1)
    assert err.value.kind == "not_yet_valid"
    token.verify_at(token.not_before)


def test_issue_errors() -> None:
    me, other = Identity.generate(), Identity.generate()
    with pytest.raises(TokenError) as err:
        me.issue_token(subject=other.entity_id, scope=["subscribe"], channel="c", ttl_seconds=0)
    assert err.value.kind == "zero_ttl"
    with pytest.raises(IdentityError) as err2:
        me.issue_token(subject=other.entity_id, scope=["root"], channel="c", ttl_seconds=1)
    assert err2.value.kind == "unknown_scope"
    with pytest.raises(ChannelError):
        me.issue_token(subject=other.entity_id, scope=["subscribe"], channel="a//b", ttl_seconds=1)
    with pytest.raises(IdentityError) as err3:
        me.issue_token(subject=b"short", scope=["subscribe"], channel="c", ttl_seconds=1)
    assert err3.value.kind == "invalid_length"


def test_delegation_and_chains() -> None:
    root, mid, leaf = Identity.generate(), Identity.generate(), Identity.generate()
    parent = root.issue_token(
        subject=mid.entity_id, scope=["publish", "subscribe", "delegate"], channel="c", ttl_seconds=60, delegation_depth=1
    )
    child = mid.delegate(parent, subject=leaf.entity_id, scope=["subscribe"], ttl_seconds=30)
    assert child.delegation_depth == 0 and child.scope == ["subscribe"] and child.issuer == mid.entity_id
    now = int(time.time())
    Token.verify_chain([parent, child], now)
    with pytest.raises(TokenError) as err:
        leaf.delegate(child, subject=root.entity_id, scope=["subscribe"], ttl_seconds=5)
    assert err.value.kind == "delegation_not_allowed"
    with pytest.raises(TokenError) as err:
        mid.delegate(parent, subject=leaf.entity_id, scope=["admin"], ttl_seconds=5)
    assert err.value.kind == "delegation_not_allowed"
    with pytest.raises(TokenError) as err:
        Token.verify_chain([child, parent], now)
    assert err.value.kind == "delegation_not_allowed"
    with pytest.raises(TokenError) as err:
        Token.verify_chain([], now)
    assert err.value.kind == "invalid_format"
