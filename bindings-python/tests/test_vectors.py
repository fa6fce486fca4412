"""The golden vectors of tests/vectors/, byte for byte."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from net_sdk import ChannelError, Identity, Token, TokenError, channel_hash, channel_wire_hash

from conftest import load_vectors

IDENTITY: List[Dict[str, Any]] = load_vectors("identity.json")["cases"]
TOKENS: Dict[str, List[Dict[str, Any]]] = load_vectors("tokens.json")
CHANNELS: Dict[str, List[Dict[str, Any]]] = load_vectors("channels.json")


def test_every_file_has_cases() -> None:
    assert IDENTITY and TOKENS["valid"] and TOKENS["invalid"] and TOKENS["chains"]
    assert CHANNELS["valid"] and CHANNELS["invalid"]


@pytest.mark.parametrize("case", IDENTITY, ids=lambda c: c["seed"][:8])
def test_identity(case: Dict[str, Any]) -> None:
    me = Identity.from_seed(bytes.fromhex(case["seed"]))
    assert me.to_bytes().hex() == case["seed"]
    assert me.entity_id.hex() == case["entity_id"]
    assert str(me.node_id) == case["node_id"] and f"{me.node_id:016x}" == case["node_id_hex"]
    assert str(me.origin_hash) == case["origin_hash"] and f"{me.origin_hash:016x}" == case["origin_hash_hex"]
    message = bytes.fromhex(case["message"])
    assert me.sign(message).hex() == case["signature"]
    me.verify(message, bytes.fromhex(case["signature"]))


@pytest.mark.parametrize("case", TOKENS["valid"], ids=lambda c: c["name"])
def test_valid_token(case: Dict[str, Any]) -> None:
    issuer = Identity.from_seed(bytes.fromhex(case["issuer_seed"]))
    assert issuer.entity_id.hex() == case["issuer_entity_id"]
    assert channel_hash(case["channel"]) == case["channel_hash"]
    token = issuer.issue_token_at(
        subject=bytes.fromhex(case["subject_entity_id"]),
        scope=case["scope"],
        channel_hash=case["channel_hash"],
        not_before=case["not_before"],
        not_after=case["not_after"],
        delegation_depth=case["delegation_depth"],
        nonce=int(case["nonce"]),
    )
    assert token.bytes.hex() == case["token"]
    assert token.signing_message().hex() == case["signing_message"]
    assert token.signature.hex() == case["signature"]
    parsed = Token.from_bytes(bytes.fromhex(case["token"]))
    assert parsed.issuer.hex() == case["issuer_entity_id"]
    assert parsed.subject.hex() == case["subject_entity_id"]
    assert parsed.scope == case["scope"] and parsed.scope_bits == case["scope_bits"]
    assert parsed.channel_hash == case["channel_hash"]
    assert (parsed.not_before, parsed.not_after) == (case["not_before"], case["not_after"])
    assert parsed.delegation_depth == case["delegation_depth"] and str(parsed.nonce) == case["nonce"]
    assert parsed.bytes.hex() == case["token"]
    parsed.verify_at(case["verify_at"])


@pytest.mark.parametrize("case", TOKENS["invalid"], ids=lambda c: c["name"])
def test_invalid_token(case: Dict[str, Any]) -> None:
    with pytest.raises(TokenError) as err:
        Token.from_bytes(bytes.fromhex(case["token"])).verify_at(case["verify_at"])
    assert err.value.kind == case["kind"]


@pytest.mark.parametrize("case", TOKENS["chains"], ids=lambda c: c["name"])
def test_chain(case: Dict[str, Any]) -> None:
    def check() -> None:
        links = [Token.from_bytes(bytes.fromhex(link)) for link in case["links"]]
        Token.verify_chain(links, case["verify_at"])

    if case["kind"] is None:
        check()
    else:
        with pytest.raises(TokenError) as err:
            check()
        assert err.value.kind == case["kind"]


@pytest.mark.parametrize("case", CHANNELS["valid"], ids=lambda c: c["name"][:20])
def test_valid_channel(case: Dict[str, Any]) -> None:
    assert channel_hash(case["name"]) == case["hash"]
    assert channel_wire_hash(case["name"]) == case["wire_hash"]


@pytest.mark.parametrize("case", CHANNELS["invalid"], ids=lambda c: c["reason"] + ":" + c["name"][:10])
def test_invalid_channel(case: Dict[str, Any]) -> None:
    with pytest.raises(ChannelError) as err:
        channel_hash(case["name"])
    assert err.value.kind == case["kind"]
