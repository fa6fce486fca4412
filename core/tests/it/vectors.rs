//! Checks the library against the golden vectors in `tests/vectors/`:
//! every value byte for byte, and every invalid case with exactly its kind.
//! The same files are loaded by the C, Node, Python and Go test suites.

use net_sdk::{ChannelName, ChannelNameError, EntityId, Identity, PermissionToken, TokenScope};
use serde_json::Value;

fn load(file: &str) -> Value {
    crate::common::load_vectors(file)
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    crate::common::vector_str(v, key)
}

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} is an integer in {v}"))
}

fn bytes(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(s(v, key)).expect("hex")
}

fn seed(v: &Value, key: &str) -> [u8; 32] {
    bytes(v, key).try_into().expect("32-byte seed")
}

fn array<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key].as_array().unwrap_or_else(|| panic!("{key} is an array"))
}

/// The kind a parser-plus-verifier reports for `token` at `now`, or "ok".
fn token_outcome(token: &[u8], now: u64) -> &'static str {
    match PermissionToken::from_bytes(token).and_then(|t| t.verify_at(now)) {
        Ok(()) => "ok",
        Err(e) => e.kind(),
    }
}

#[test]
fn identity_vectors() {
    let file = load("identity.json");
    let cases = array(&file, "cases");
    assert!(cases.len() >= 4);
    for case in cases {
        let id = Identity::from_seed(seed(case, "seed"));
        assert_eq!(id.to_bytes().to_vec(), bytes(case, "seed"));
        assert_eq!(hex::encode(id.entity_id().as_bytes()), s(case, "entity_id"));
        assert_eq!(id.node_id().to_string(), s(case, "node_id"));
        assert_eq!(format!("{:016x}", id.node_id()), s(case, "node_id_hex"));
        assert_eq!(id.origin_hash().to_string(), s(case, "origin_hash"));
        assert_eq!(format!("{:016x}", id.origin_hash()), s(case, "origin_hash_hex"));
        let entity = EntityId::from_bytes(&bytes(case, "entity_id")).unwrap();
        assert_eq!(entity.node_id(), id.node_id());
        assert_eq!(entity.origin_hash(), id.origin_hash());

        let msg = bytes(case, "message");
        let sig = bytes(case, "signature");
        assert_eq!(id.sign(&msg).to_vec(), sig);
        entity.verify(&msg, &sig).unwrap();
    }
}

#[test]
fn valid_token_vectors() {
    let file = load("tokens.json");
    let valid = array(&file, "valid");
    assert!(!valid.is_empty());
    for case in valid {
        let issuer = Identity::from_seed(seed(case, "issuer_seed"));
        assert_eq!(hex::encode(issuer.entity_id().as_bytes()), s(case, "issuer_entity_id"));
        let subject = EntityId::from_bytes(&bytes(case, "subject_entity_id")).unwrap();
        let names: Vec<&str> = array(case, "scope").iter().map(|v| v.as_str().unwrap()).collect();
        let scope = TokenScope::from_names(&names).unwrap();
        assert_eq!(u64::from(scope.bits()), n(case, "scope_bits"));
        assert_eq!(scope.names(), names);
        let channel = ChannelName::new(s(case, "channel")).unwrap();
        assert_eq!(u64::from(channel.hash()), n(case, "channel_hash"));
        let nonce: u64 = s(case, "nonce").parse().unwrap();
        let depth = u8::try_from(n(case, "delegation_depth")).unwrap();

        let token = issuer.issue_token_at(
            subject,
            scope,
            channel.hash(),
            n(case, "not_before"),
            n(case, "not_after"),
            depth,
            nonce,
        );
        let wire = bytes(case, "token");
        assert_eq!(wire.len(), PermissionToken::WIRE_SIZE);
        assert_eq!(token.to_bytes().to_vec(), wire, "{}", s(case, "name"));
        assert_eq!(token.signing_message(), bytes(case, "signing_message"));
        assert_eq!(token.signature.to_vec(), bytes(case, "signature"));

        let parsed = PermissionToken::from_bytes(&wire).unwrap();
        assert_eq!(parsed, token);
        assert_eq!(parsed.issuer, *issuer.entity_id());
        assert_eq!(parsed.subject, subject);
        assert_eq!(parsed.scope, scope);
        assert_eq!(parsed.nonce, nonce);
        assert_eq!(parsed.delegation_depth, depth);
        parsed.verify_at(n(case, "verify_at")).unwrap();
        // The signature is plain ed25519 over the signing message, so any
        // RFC 8032 library can check it.
        let key = ed25519_dalek::VerifyingKey::from_bytes(issuer.entity_id().as_bytes()).unwrap();
        let signature = ed25519_dalek::Signature::from_bytes(&parsed.signature);
        key.verify_strict(&bytes(case, "signing_message"), &signature).unwrap();
    }
}

#[test]
fn invalid_token_vectors_fail_with_exactly_their_kind() {
    let file = load("tokens.json");
    let invalid = array(&file, "invalid");
    let mut kinds: Vec<&str> = Vec::new();
    for case in invalid {
        let got = token_outcome(&bytes(case, "token"), n(case, "verify_at"));
        assert_eq!(got, s(case, "kind"), "case {}", s(case, "name"));
        kinds.push(s(case, "kind"));
    }
    for kind in ["invalid_signature", "invalid_format", "expired", "not_yet_valid"] {
        assert!(kinds.contains(&kind), "no invalid case of kind {kind}");
    }
}

#[test]
fn chain_vectors() {
    let file = load("tokens.json");
    let chains = array(&file, "chains");
    let mut seen_ok = false;
    for case in chains {
        let links: Vec<PermissionToken> = array(case, "links")
            .iter()
            .map(|h| PermissionToken::from_bytes(&hex::decode(h.as_str().unwrap()).unwrap()).unwrap())
            .collect();
        let got = PermissionToken::verify_chain(&links, n(case, "verify_at")).map_err(|e| e.kind());
        match case["kind"].as_str() {
            None => {
                assert_eq!(got, Ok(()), "chain {}", s(case, "name"));
                seen_ok |= links.len() >= 2;
            }
            Some(kind) => assert_eq!(got, Err(kind), "chain {}", s(case, "name")),
        }
    }
    assert!(seen_ok, "a valid multi-link chain is in the file");
}

#[test]
fn channel_vectors() {
    let file = load("channels.json");
    for case in array(&file, "valid") {
        let name = ChannelName::new(s(case, "name")).unwrap();
        assert_eq!(u64::from(name.hash()), n(case, "hash"), "{name}");
        assert_eq!(u64::from(name.wire_hash()), n(case, "wire_hash"), "{name}");
        assert_eq!(net_sdk::channel_hash(s(case, "name")).unwrap(), name.hash());
    }
    let invalid = array(&file, "invalid");
    for required in ["", "a//b", "/a", "a/", "a b", "é"] {
        assert!(invalid.iter().any(|c| s(c, "name") == required), "missing invalid case {required:?}");
    }
    assert!(invalid.iter().any(|c| s(c, "name").len() == 256));
    for case in invalid {
        let err = ChannelName::new(s(case, "name")).unwrap_err();
        assert_eq!(err.kind(), s(case, "kind"));
        let reason = match err {
            ChannelNameError::Empty => "empty",
            ChannelNameError::TooLong(_) => "too_long",
            ChannelNameError::EmptySegment => "empty_segment",
            ChannelNameError::InvalidCharacter(_) => "invalid_character",
            _ => "other",
        };
        assert_eq!(reason, s(case, "reason"), "{:?}", s(case, "name"));
    }
}
