//! Writes the golden vectors in `tests/vectors/` (identity.json,
//! tokens.json, channels.json).
//!
//! Run: `cargo run -p net-mesh-sdk --example gen_vectors`. Everything is
//! deterministic (fixed seeds, `issue_token_at`, ed25519's deterministic
//! signatures), so re-running must leave the checked-in files unchanged;
//! `core/tests/it/vectors.rs` checks the files against the library.

use std::path::PathBuf;

use net_sdk::{ChannelName, ChannelNameError, EntityId, Identity, PermissionToken, TokenError, TokenScope};
use serde::Serialize;

/// 2023-11-14T22:13:20Z: a fixed "now" for every token vector.
const T0: u64 = 1_700_000_000;

#[derive(Serialize)]
struct IdentityFile {
    cases: Vec<IdentityCase>,
}

#[derive(Serialize)]
struct IdentityCase {
    seed: String,
    entity_id: String,
    node_id: String,
    node_id_hex: String,
    origin_hash: String,
    origin_hash_hex: String,
    message: String,
    signature: String,
}

#[derive(Serialize)]
struct TokensFile {
    valid: Vec<ValidToken>,
    invalid: Vec<InvalidToken>,
    chains: Vec<Chain>,
}

#[derive(Serialize)]
struct ValidToken {
    name: &'static str,
    issuer_seed: String,
    issuer_entity_id: String,
    subject_entity_id: String,
    scope: Vec<&'static str>,
    scope_bits: u32,
    channel: String,
    channel_hash: u32,
    not_before: u64,
    not_after: u64,
    delegation_depth: u8,
    nonce: String,
    signing_message: String,
    signature: String,
    token: String,
    verify_at: u64,
}

#[derive(Serialize)]
struct InvalidToken {
    name: &'static str,
    token: String,
    verify_at: u64,
    kind: &'static str,
}

#[derive(Serialize)]
struct Chain {
    name: &'static str,
    links: Vec<String>,
    verify_at: u64,
    kind: Option<&'static str>,
}

#[derive(Serialize)]
struct ChannelsFile {
    valid: Vec<ValidChannel>,
    invalid: Vec<InvalidChannel>,
}

#[derive(Serialize)]
struct ValidChannel {
    name: String,
    hash: u32,
    wire_hash: u16,
}

#[derive(Serialize)]
struct InvalidChannel {
    name: String,
    kind: &'static str,
    reason: &'static str,
}

fn seed_of(byte: u8) -> [u8; 32] {
    [byte; 32]
}

fn counting_seed() -> [u8; 32] {
    std::array::from_fn(|i| i as u8)
}

fn identity_file() -> IdentityFile {
    let cases = [
        (seed_of(0x00), b"".to_vec()),
        (seed_of(0x42), b"hello net".to_vec()),
        (counting_seed(), (0u8..=255).collect()),
        (seed_of(0xff), b"sensors/temp".to_vec()),
    ];
    let cases = cases
        .into_iter()
        .map(|(seed, message)| {
            let id = Identity::from_seed(seed);
            IdentityCase {
                seed: hex::encode(seed),
                entity_id: hex::encode(id.entity_id().as_bytes()),
                node_id: id.node_id().to_string(),
                node_id_hex: format!("{:016x}", id.node_id()),
                origin_hash: id.origin_hash().to_string(),
                origin_hash_hex: format!("{:016x}", id.origin_hash()),
                signature: hex::encode(id.sign(&message)),
                message: hex::encode(&message),
            }
        })
        .collect();
    IdentityFile { cases }
}

struct Spec {
    name: &'static str,
    issuer: [u8; 32],
    subject: [u8; 32],
    scope: TokenScope,
    channel: String,
    window: (u64, u64),
    depth: u8,
    nonce: u64,
}

fn valid_token(spec: &Spec) -> (ValidToken, PermissionToken) {
    let issuer = Identity::from_seed(spec.issuer);
    let subject = *Identity::from_seed(spec.subject).entity_id();
    let channel = ChannelName::new(&spec.channel).expect("vector channel names are valid");
    let token = issuer.issue_token_at(
        subject,
        spec.scope,
        channel.hash(),
        spec.window.0,
        spec.window.1,
        spec.depth,
        spec.nonce,
    );
    let entry = ValidToken {
        name: spec.name,
        issuer_seed: hex::encode(spec.issuer),
        issuer_entity_id: hex::encode(issuer.entity_id().as_bytes()),
        subject_entity_id: hex::encode(subject.as_bytes()),
        scope: spec.scope.names(),
        scope_bits: spec.scope.bits(),
        channel: spec.channel.clone(),
        channel_hash: channel.hash(),
        not_before: spec.window.0,
        not_after: spec.window.1,
        delegation_depth: spec.depth,
        nonce: spec.nonce.to_string(),
        signing_message: hex::encode(token.signing_message()),
        signature: hex::encode(token.signature),
        token: hex::encode(token.to_bytes()),
        verify_at: spec.window.0 + (spec.window.1 - spec.window.0) / 2,
    };
    (entry, token)
}

/// Some 32 bytes that are not an ed25519 point (found by a fixed search, so
/// the choice is deterministic).
fn not_a_point() -> [u8; 32] {
    (0u8..=255)
        .map(|b| {
            let mut bytes = [0u8; 32];
            bytes[0] = b;
            bytes[31] = 0x7f;
            bytes
        })
        .find(|bytes| EntityId::from_bytes(bytes).is_err())
        .expect("some y coordinate is off the curve")
}

fn tokens_file() -> TokensFile {
    let a = seed_of(0x42);
    let b = counting_seed();
    let c = seed_of(0xff);
    let d = seed_of(0x00);
    let pub_sub = TokenScope::PUBLISH | TokenScope::SUBSCRIBE;
    let specs = [
        Spec {
            name: "subscribe_depth_0",
            issuer: a,
            subject: b,
            scope: TokenScope::SUBSCRIBE,
            channel: "sensors/temp".into(),
            window: (T0, T0 + 300),
            depth: 0,
            nonce: 1,
        },
        Spec {
            name: "publish_subscribe_delegate_depth_3_large_nonce",
            issuer: a,
            subject: c,
            scope: pub_sub | TokenScope::DELEGATE,
            channel: "tenant-7:jobs/gpu.v2".into(),
            window: (T0, T0 + 86_400),
            depth: 3,
            nonce: 0xdead_beef_cafe_f00d,
        },
        Spec {
            name: "all_scopes_self_grant_max_depth",
            issuer: b,
            subject: b,
            scope: TokenScope::ALL,
            channel: "a".into(),
            window: (0, 1 << 53),
            depth: 255,
            nonce: u64::MAX,
        },
        Spec {
            name: "empty_scope_long_channel",
            issuer: c,
            subject: d,
            scope: TokenScope::empty(),
            channel: "x".repeat(255),
            window: (T0 + 1, T0 + 2),
            depth: 0,
            nonce: 0,
        },
    ];
    let built: Vec<_> = specs.iter().map(valid_token).collect();
    let base = &built[0].1;
    let base_bytes = base.to_bytes();
    let mid = T0 + 150;

    let tampered = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = base_bytes.to_vec();
        f(&mut bytes);
        hex::encode(bytes)
    };
    let issuer_a = Identity::from_seed(a);
    let backwards = issuer_a.issue_token_at(base.subject, base.scope, base.channel_hash, T0 + 10, T0 + 9, 0, 2);
    let bad_point = not_a_point();
    let impostor = Identity::from_seed(c).issue_token_at(base.subject, base.scope, base.channel_hash, T0, T0 + 300, 0, 1);
    let mut claims_a = impostor.clone();
    claims_a.issuer = base.issuer;

    let invalid = vec![
        InvalidToken {
            name: "flipped_signature_byte",
            token: tampered(&|t| t[100] ^= 0x01),
            verify_at: mid,
            kind: TokenError::InvalidSignature.kind(),
        },
        InvalidToken {
            name: "flipped_scope_byte",
            token: tampered(&|t| t[64] ^= 0x01),
            verify_at: mid,
            kind: TokenError::InvalidSignature.kind(),
        },
        InvalidToken {
            name: "changed_not_after",
            token: tampered(&|t| t[80..88].copy_from_slice(&(T0 + 3600).to_le_bytes())),
            verify_at: mid,
            kind: TokenError::InvalidSignature.kind(),
        },
        InvalidToken {
            name: "issuer_replaced",
            token: hex::encode(claims_a.to_bytes()),
            verify_at: mid,
            kind: TokenError::InvalidSignature.kind(),
        },
        InvalidToken {
            name: "truncated_160_bytes",
            token: tampered(&|t| t.truncate(160)),
            verify_at: mid,
            kind: TokenError::InvalidFormat.kind(),
        },
        InvalidToken {
            name: "extended_162_bytes",
            token: tampered(&|t| t.push(0)),
            verify_at: mid,
            kind: TokenError::InvalidFormat.kind(),
        },
        InvalidToken {
            name: "empty",
            token: String::new(),
            verify_at: mid,
            kind: TokenError::InvalidFormat.kind(),
        },
        InvalidToken {
            name: "unknown_scope_bits",
            token: tampered(&|t| t[64] |= 0x10),
            verify_at: mid,
            kind: TokenError::InvalidFormat.kind(),
        },
        InvalidToken {
            name: "not_after_before_not_before",
            token: hex::encode(backwards.to_bytes()),
            verify_at: T0 + 9,
            kind: TokenError::InvalidFormat.kind(),
        },
        InvalidToken {
            name: "issuer_not_a_curve_point",
            token: tampered(&|t| t[0..32].copy_from_slice(&bad_point)),
            verify_at: mid,
            kind: TokenError::InvalidFormat.kind(),
        },
        InvalidToken {
            name: "subject_not_a_curve_point",
            token: tampered(&|t| t[32..64].copy_from_slice(&bad_point)),
            verify_at: mid,
            kind: TokenError::InvalidFormat.kind(),
        },
        InvalidToken {
            name: "expired_at_not_after",
            token: hex::encode(base_bytes),
            verify_at: base.not_after,
            kind: TokenError::Expired.kind(),
        },
        InvalidToken {
            name: "expired_long_after",
            token: hex::encode(base_bytes),
            verify_at: base.not_after + 86_400,
            kind: TokenError::Expired.kind(),
        },
        InvalidToken {
            name: "not_yet_valid",
            token: hex::encode(base_bytes),
            verify_at: base.not_before - 1,
            kind: TokenError::NotYetValid.kind(),
        },
    ];

    TokensFile { valid: built.into_iter().map(|(v, _)| v).collect(), invalid, chains: chains(a, b, c, d) }
}

fn chains(a: [u8; 32], b: [u8; 32], c: [u8; 32], d: [u8; 32]) -> Vec<Chain> {
    let (ia, ib, ic) = (Identity::from_seed(a), Identity::from_seed(b), Identity::from_seed(c));
    let (eb, ec, ed) = (*ib.entity_id(), *ic.entity_id(), *Identity::from_seed(d).entity_id());
    let ch = ChannelName::new("sensors/temp").unwrap().hash();
    let other_ch = ChannelName::new("sensors/humidity").unwrap().hash();
    let s = TokenScope::SUBSCRIBE;
    let ps = TokenScope::PUBLISH | TokenScope::SUBSCRIBE;
    let psd = ps | TokenScope::DELEGATE;
    let hexes = |links: &[PermissionToken]| links.iter().map(|t| hex::encode(t.to_bytes())).collect();
    let at = T0 + 100;
    let chain = |name, links: &[PermissionToken], kind: Option<TokenError>| Chain {
        name,
        links: hexes(links),
        verify_at: at,
        kind: kind.map(|k| k.kind()),
    };

    let root1 = ia.issue_token_at(eb, psd, ch, T0, T0 + 3600, 1, 10);
    let root2 = ia.issue_token_at(eb, psd, ch, T0, T0 + 3600, 2, 11);
    let mid2 = ib.issue_token_at(ec, s | TokenScope::DELEGATE, ch, T0 + 5, T0 + 1800, 1, 12);
    let no_delegate = ia.issue_token_at(eb, ps, ch, T0, T0 + 3600, 1, 13);
    let depth0 = ia.issue_token_at(eb, s | TokenScope::DELEGATE, ch, T0, T0 + 3600, 0, 14);
    vec![
        chain("root_only", std::slice::from_ref(&root1), None),
        chain("two_links", &[root1.clone(), ib.issue_token_at(ec, s, ch, T0 + 10, T0 + 600, 0, 20)], None),
        chain(
            "three_links",
            &[root2.clone(), mid2.clone(), ic.issue_token_at(ed, s, ch, T0 + 20, T0 + 900, 0, 21)],
            None,
        ),
        chain(
            "parent_lacks_delegate",
            &[no_delegate, ib.issue_token_at(ec, s, ch, T0 + 10, T0 + 600, 0, 22)],
            Some(TokenError::DelegationNotAllowed),
        ),
        chain(
            "past_depth",
            &[depth0, ib.issue_token_at(ec, s, ch, T0 + 10, T0 + 600, 0, 23)],
            Some(TokenError::DelegationExhausted),
        ),
        chain(
            "past_depth_third_link",
            &[root1.clone(), ib.issue_token_at(ec, s | TokenScope::DELEGATE, ch, T0 + 10, T0 + 600, 0, 24), ic.issue_token_at(ed, s, ch, T0 + 20, T0 + 300, 0, 25)],
            Some(TokenError::DelegationExhausted),
        ),
        chain(
            "child_scope_wider",
            &[root1.clone(), ib.issue_token_at(ec, s | TokenScope::ADMIN, ch, T0 + 10, T0 + 600, 0, 26)],
            Some(TokenError::DelegationNotAllowed),
        ),
        chain(
            "child_other_channel",
            &[root1.clone(), ib.issue_token_at(ec, s, other_ch, T0 + 10, T0 + 600, 0, 27)],
            Some(TokenError::DelegationNotAllowed),
        ),
        chain(
            "child_outlives_parent",
            &[root1.clone(), ib.issue_token_at(ec, s, ch, T0 + 10, T0 + 3601, 0, 28)],
            Some(TokenError::DelegationNotAllowed),
        ),
        chain(
            "child_depth_not_decremented",
            &[root2, ib.issue_token_at(ec, s, ch, T0 + 10, T0 + 600, 2, 29)],
            Some(TokenError::DelegationNotAllowed),
        ),
        chain(
            "child_issued_by_stranger",
            &[root1.clone(), ic.issue_token_at(ec, s, ch, T0 + 10, T0 + 600, 0, 30)],
            Some(TokenError::DelegationNotAllowed),
        ),
        chain(
            "child_expired",
            &[root1.clone(), ib.issue_token_at(ec, s, ch, T0 + 10, T0 + 60, 0, 31)],
            Some(TokenError::Expired),
        ),
        chain("empty", &[], Some(TokenError::InvalidFormat)),
    ]
}

fn channel_reason(e: &ChannelNameError) -> &'static str {
    match e {
        ChannelNameError::Empty => "empty",
        ChannelNameError::TooLong(_) => "too_long",
        ChannelNameError::EmptySegment => "empty_segment",
        ChannelNameError::InvalidCharacter(_) => "invalid_character",
        _ => "other",
    }
}

fn channels_file() -> ChannelsFile {
    let valid = [
        "a",
        "0",
        "sensors/temp",
        "sensors/humidity",
        "tenant-7:jobs/gpu.v2",
        "A/B/C",
        "UPPER-lower_09.dots:colons",
        "net.rpc:svc/method_name",
        &"x".repeat(255),
    ]
    .into_iter()
    .map(|name| {
        let n = ChannelName::new(name).expect("valid vector");
        ValidChannel { name: name.to_owned(), hash: n.hash(), wire_hash: n.wire_hash() }
    })
    .collect();
    let invalid = [
        "",
        &"a".repeat(256),
        &"é".repeat(128),
        "a//b",
        "/a",
        "a/",
        "/",
        "a b",
        "é",
        "a\tb",
        "chan*",
        "emoji/🚀",
        "nul\u{0}byte",
    ]
    .into_iter()
    .map(|name| {
        let err = ChannelName::new(name).expect_err("invalid vector");
        InvalidChannel { name: name.to_owned(), kind: err.kind(), reason: channel_reason(&err) }
    })
    .collect();
    ChannelsFile { valid, invalid }
}

fn write<T: Serialize>(dir: &std::path::Path, file: &str, value: &T) {
    let mut text = serde_json::to_string_pretty(value).expect("serializable");
    text.push('\n');
    std::fs::write(dir.join(file), text).expect("write vector file");
    println!("wrote {}", dir.join(file).display());
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    std::fs::create_dir_all(&dir).expect("create tests/vectors");
    write(&dir, "identity.json", &identity_file());
    write(&dir, "tokens.json", &tokens_file());
    write(&dir, "channels.json", &channels_file());
}
