//! Behaviour and failure paths of identities, tokens, delegation and the
//! token cache.

use std::time::Duration;

use net_sdk::{
    ChannelName, Clock, EntityId, Identity, IdentityError, PermissionToken, SdkError, TokenCache, TokenError,
    TokenScope,
};

const T0: u64 = 1_700_000_000;
const SECOND: u64 = 1_000_000_000;

fn mock_identity(seed: u8, now_secs: u64) -> (Identity, std::sync::Arc<net_sdk::clock::MockClock>) {
    let (clock, handle) = Clock::mock(now_secs * SECOND);
    (Identity::from_seed([seed; 32]).with_clock(clock), handle)
}

fn channel() -> ChannelName {
    ChannelName::new("sensors/temp").unwrap()
}

/// 32 bytes that do not decode to an ed25519 point.
fn not_a_point() -> [u8; 32] {
    (0u8..=255)
        .map(|b| {
            let mut bytes = [0u8; 32];
            bytes[0] = b;
            bytes[31] = 0x7f;
            bytes
        })
        .find(|bytes| EntityId::from_bytes(bytes).is_err())
        .unwrap()
}

// ---------------------------------------------------------------- identity

#[test]
fn seed_round_trip_keeps_every_id() {
    let a = Identity::generate();
    let b = Identity::from_seed(a.to_bytes());
    assert_eq!(a.entity_id(), b.entity_id());
    assert_eq!(a.node_id(), b.node_id());
    assert_eq!(a.origin_hash(), b.origin_hash());
    let c = Identity::from_seed_slice(&a.to_bytes()).unwrap();
    assert_eq!(c.entity_id(), a.entity_id());
    assert_ne!(Identity::generate().entity_id(), a.entity_id(), "generate is random");
}

#[test]
fn seed_slice_of_wrong_length_is_refused() {
    for len in [0, 31, 33, 64] {
        let err = Identity::from_seed_slice(&vec![7u8; len]).unwrap_err();
        assert_eq!(err, IdentityError::InvalidLength { what: "seed", expected: 32, actual: len });
        assert_eq!(err.kind(), "invalid_length");
    }
}

#[test]
fn ids_are_blake3_derivations_of_the_public_key() {
    let id = Identity::from_seed([0x42; 32]);
    let key = blake3::derive_key("net node_id v1", id.entity_id().as_bytes());
    assert_eq!(id.node_id(), u64::from_le_bytes(key[..8].try_into().unwrap()));
    let key = blake3::derive_key("net origin_hash v1", id.entity_id().as_bytes());
    assert_eq!(id.origin_hash(), u64::from_le_bytes(key[..8].try_into().unwrap()));
    assert_ne!(id.node_id(), id.origin_hash());
    assert_eq!(id.entity_id().node_id(), id.node_id());
}

#[test]
fn debug_never_prints_the_seed() {
    let id = Identity::from_seed([0xab; 32]);
    let text = format!("{id:?} {id:#?}");
    assert!(!text.contains(&hex::encode([0xab; 32])), "{text}");
    assert!(!text.to_lowercase().contains("abab"), "{text}");
    assert!(text.contains(&id.entity_id().to_string()));
}

#[test]
fn signatures_verify_and_tampering_is_caught() {
    let id = Identity::from_seed([1; 32]);
    let sig = id.sign(b"payload");
    id.verify(b"payload", &sig).unwrap();
    id.entity_id().verify(b"payload", &sig).unwrap();

    assert_eq!(id.verify(b"payloaD", &sig), Err(IdentityError::InvalidSignature));
    let mut bad = sig;
    bad[5] ^= 0x80;
    assert_eq!(id.verify(b"payload", &bad), Err(IdentityError::InvalidSignature));
    let other = Identity::from_seed([2; 32]);
    assert_eq!(other.verify(b"payload", &sig), Err(IdentityError::InvalidSignature));
    assert_eq!(
        id.verify(b"payload", &sig[..63]),
        Err(IdentityError::InvalidLength { what: "signature", expected: 64, actual: 63 })
    );
}

#[test]
fn entity_id_parsing() {
    let id = Identity::from_seed([3; 32]);
    let e = *id.entity_id();
    assert_eq!(EntityId::from_bytes(e.as_bytes()).unwrap(), e);
    assert_eq!(e.to_string().len(), 64);
    assert_eq!(e.to_string().parse::<EntityId>().unwrap(), e);
    assert_eq!(format!("{e:?}"), format!("EntityId({e})"));
    assert_eq!(
        EntityId::from_bytes(&[0u8; 31]),
        Err(IdentityError::InvalidLength { what: "entity id", expected: 32, actual: 31 })
    );
    assert_eq!(EntityId::from_bytes(&not_a_point()), Err(IdentityError::InvalidEntityId));
    // The identity point (y = 1) decodes but has small order: refused.
    let mut identity_point = [0u8; 32];
    identity_point[0] = 1;
    assert_eq!(EntityId::from_bytes(&identity_point), Err(IdentityError::InvalidEntityId));
    assert_eq!(EntityId::from_hex("zz").unwrap_err().kind(), "invalid_entity_id");
}

// ------------------------------------------------------------------ tokens

#[test]
fn issued_token_is_valid_from_now_for_ttl() {
    let (issuer, _h) = mock_identity(1, T0);
    let subject = *Identity::from_seed([2; 32]).entity_id();
    let t = issuer.issue_token(subject, TokenScope::SUBSCRIBE, &channel(), Duration::from_secs(300), 0);
    assert_eq!((t.not_before, t.not_after), (T0, T0 + 300));
    assert_eq!(t.issuer, *issuer.entity_id());
    assert_eq!(t.subject, subject);
    assert_eq!(t.channel_hash, channel().hash());
    assert_eq!(t.delegation_depth, 0);
    t.verify_at(T0).unwrap();
    t.verify_at(T0 + 299).unwrap();
    assert_eq!(t.verify_at(T0 + 300), Err(TokenError::Expired));
    assert_eq!(t.verify_at(T0 - 1), Err(TokenError::NotYetValid));
    assert!(t.is_expired_at(T0 + 300) && !t.is_expired_at(T0 + 299));
    assert!(t.grants(TokenScope::SUBSCRIBE, channel().hash()));
    assert!(!t.grants(TokenScope::PUBLISH, channel().hash()));
    assert!(!t.grants(TokenScope::SUBSCRIBE, channel().hash() ^ 1));
    assert!(t.grants(TokenScope::empty(), channel().hash()));
    // Fractions of a second are dropped and nonces differ.
    let u = issuer.issue_token(subject, TokenScope::SUBSCRIBE, &channel(), Duration::from_millis(1999), 0);
    assert_eq!(u.not_after, T0 + 1);
    assert_ne!(t.nonce, u.nonce);
}

#[test]
fn verify_uses_the_system_clock() {
    let id = Identity::from_seed([4; 32]);
    let t = id.issue_token(*id.entity_id(), TokenScope::PUBLISH, &channel(), Duration::from_secs(60), 0);
    t.verify().unwrap();
    let old = id.issue_token_at(*id.entity_id(), TokenScope::PUBLISH, 1, 10, 20, 0, 0);
    assert_eq!(old.verify(), Err(TokenError::Expired));
    let future = id.issue_token_at(*id.entity_id(), TokenScope::PUBLISH, 1, u64::MAX - 1, u64::MAX, 0, 0);
    assert_eq!(future.verify(), Err(TokenError::NotYetValid));
}

#[test]
fn try_issue_token_refuses_sub_second_ttl() {
    let (issuer, _h) = mock_identity(1, T0);
    let subject = *issuer.entity_id();
    for ttl in [Duration::ZERO, Duration::from_millis(999)] {
        let err = issuer.try_issue_token(subject, TokenScope::PUBLISH, &channel(), ttl, 0).unwrap_err();
        assert_eq!(err, TokenError::ZeroTtl);
        assert_eq!(err.kind(), "zero_ttl");
    }
    let t = issuer.try_issue_token(subject, TokenScope::PUBLISH, &channel(), Duration::from_secs(1), 0).unwrap();
    assert_eq!(t.not_after, T0 + 1);
    // A huge TTL saturates instead of overflowing.
    let t = issuer.try_issue_token(subject, TokenScope::PUBLISH, &channel(), Duration::MAX, 0).unwrap();
    assert_eq!(t.not_after, u64::MAX);
}

/// In release builds `issue_token` clamps a zero TTL to one second.
#[cfg(not(debug_assertions))]
#[test]
fn issue_token_clamps_zero_ttl_to_one_second() {
    let (issuer, _h) = mock_identity(1, T0);
    let t = issuer.issue_token(*issuer.entity_id(), TokenScope::PUBLISH, &channel(), Duration::ZERO, 0);
    assert_eq!((t.not_before, t.not_after), (T0, T0 + 1));
    t.verify_at(T0).unwrap();
}

/// In debug builds the same misuse is loud.
#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "ttl under one second")]
fn issue_token_debug_asserts_on_zero_ttl() {
    let (issuer, _h) = mock_identity(1, T0);
    let _ = issuer.issue_token(*issuer.entity_id(), TokenScope::PUBLISH, &channel(), Duration::ZERO, 0);
}

#[test]
fn wire_form_round_trips_and_is_laid_out_as_documented() {
    let id = Identity::from_seed([9; 32]);
    let subject = *Identity::from_seed([8; 32]).entity_id();
    let t = id.issue_token_at(subject, TokenScope::PUBLISH | TokenScope::ADMIN, 0x0403_0201, 5, 6, 7, 0x0807_0605_0403_0201);
    let b = t.to_bytes();
    assert_eq!(b.len(), PermissionToken::WIRE_SIZE);
    assert_eq!(&b[0..32], id.entity_id().as_bytes());
    assert_eq!(&b[32..64], subject.as_bytes());
    assert_eq!(&b[64..68], &[9, 0, 0, 0]);
    assert_eq!(&b[68..72], &[1, 2, 3, 4]);
    assert_eq!(&b[72..80], &5u64.to_le_bytes());
    assert_eq!(&b[80..88], &6u64.to_le_bytes());
    assert_eq!(b[88], 7);
    assert_eq!(&b[89..97], &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(&b[97..], &t.signature);
    let mut msg = b"net token v1".to_vec();
    msg.extend_from_slice(&b[..97]);
    assert_eq!(t.signing_message(), msg);
    t.verify_signature().unwrap();
    assert_eq!(PermissionToken::from_bytes(&b).unwrap(), t);
    assert_eq!(PermissionToken::try_from(&b[..]).unwrap(), t);
}

#[test]
fn from_bytes_refuses_malformed_tokens() {
    let id = Identity::from_seed([9; 32]);
    let t = id.issue_token_at(*id.entity_id(), TokenScope::SUBSCRIBE, 1, T0, T0 + 10, 0, 0);
    let good = t.to_bytes();
    let check = |bytes: &[u8]| assert_eq!(PermissionToken::from_bytes(bytes), Err(TokenError::InvalidFormat));
    check(&[]);
    check(&good[..160]);
    let mut long = good.to_vec();
    long.push(0);
    check(&long);
    let mut unknown_scope = good;
    unknown_scope[67] = 0x80;
    check(&unknown_scope);
    let mut backwards = good;
    backwards[80..88].copy_from_slice(&(T0 - 1).to_le_bytes());
    check(&backwards);
    let mut bad_issuer = good;
    bad_issuer[0..32].copy_from_slice(&not_a_point());
    check(&bad_issuer);
    let mut bad_subject = good;
    bad_subject[32..64].copy_from_slice(&not_a_point());
    check(&bad_subject);
    // not_after == not_before is well-formed (just never valid).
    let empty_window = id.issue_token_at(*id.entity_id(), TokenScope::SUBSCRIBE, 1, T0, T0, 0, 0);
    let parsed = PermissionToken::from_bytes(&empty_window.to_bytes()).unwrap();
    assert_eq!(parsed.verify_at(T0), Err(TokenError::Expired));
}

#[test]
fn any_changed_field_breaks_the_signature() {
    let id = Identity::from_seed([9; 32]);
    let other = *Identity::from_seed([10; 32]).entity_id();
    let t = id.issue_token_at(*id.entity_id(), TokenScope::SUBSCRIBE, 1, T0, T0 + 10, 1, 5);
    let edits: [&dyn Fn(&mut PermissionToken); 9] = [
        &|t| t.issuer = other,
        &|t| t.subject = other,
        &|t| t.scope = TokenScope::PUBLISH,
        &|t| t.channel_hash ^= 1,
        &|t| t.not_before -= 1,
        &|t| t.not_after += 1,
        &|t| t.delegation_depth += 1,
        &|t| t.nonce += 1,
        &|t| t.signature[63] ^= 0x01,
    ];
    for (i, edit) in edits.iter().enumerate() {
        let mut forged = t.clone();
        edit(&mut forged);
        assert_eq!(forged.verify_at(T0 + 1), Err(TokenError::InvalidSignature), "edit {i}");
        // The signature is checked before time, so a forged expired token
        // still reports as forged.
        assert_eq!(forged.verify_at(T0 + 100), Err(TokenError::InvalidSignature), "edit {i}");
    }
    t.verify_at(T0 + 1).unwrap();
}

#[test]
fn token_errors_convert_to_sdk_errors_with_their_kind() {
    let all = [
        (TokenError::InvalidFormat, "invalid_format"),
        (TokenError::InvalidSignature, "invalid_signature"),
        (TokenError::Expired, "expired"),
        (TokenError::NotYetValid, "not_yet_valid"),
        (TokenError::DelegationExhausted, "delegation_exhausted"),
        (TokenError::DelegationNotAllowed, "delegation_not_allowed"),
        (TokenError::NotAuthorized, "not_authorized"),
        (TokenError::ZeroTtl, "zero_ttl"),
    ];
    for (e, kind) in all {
        assert_eq!(SdkError::from(e).kind(), kind);
    }
}

// -------------------------------------------------------------- delegation

struct Trio {
    root: Identity,
    mid: Identity,
    leaf: Identity,
    _clock: std::sync::Arc<net_sdk::clock::MockClock>,
}

fn trio() -> Trio {
    let (clock, handle) = Clock::mock(T0 * SECOND);
    Trio {
        root: Identity::from_seed([1; 32]).with_clock(clock.clone()),
        mid: Identity::from_seed([2; 32]).with_clock(clock.clone()),
        leaf: Identity::from_seed([3; 32]).with_clock(clock),
        _clock: handle,
    }
}

const PSD: TokenScope = TokenScope::PUBLISH.union(TokenScope::SUBSCRIBE).union(TokenScope::DELEGATE);

#[test]
fn delegation_narrows_and_chains_verify() {
    let t = trio();
    let parent = t.root.issue_token(*t.mid.entity_id(), PSD, &channel(), Duration::from_secs(100), 2);
    let child = t.mid.delegate(&parent, *t.leaf.entity_id(), TokenScope::SUBSCRIBE, Duration::from_secs(50)).unwrap();
    assert_eq!(child.issuer, *t.mid.entity_id());
    assert_eq!(child.subject, *t.leaf.entity_id());
    assert_eq!(child.delegation_depth, 1);
    assert_eq!(child.channel_hash, parent.channel_hash);
    assert_eq!((child.not_before, child.not_after), (T0, T0 + 50));
    child.verify_at(T0).unwrap();
    PermissionToken::verify_chain(&[parent.clone(), child.clone()], T0 + 10).unwrap();
    PermissionToken::verify_chain(std::slice::from_ref(&parent), T0 + 10).unwrap();

    // A child's life never exceeds its parent's.
    let long = t.mid.delegate(&parent, *t.leaf.entity_id(), PSD, Duration::from_secs(10_000)).unwrap();
    assert_eq!(long.not_after, parent.not_after);

    // Three links: mid delegated DELEGATE on to leaf with depth 1.
    let grand = t.leaf.delegate(&long, *t.root.entity_id(), TokenScope::PUBLISH, Duration::from_secs(5)).unwrap();
    assert_eq!(grand.delegation_depth, 0);
    PermissionToken::verify_chain(&[parent, long, grand], T0 + 1).unwrap();
}

#[test]
fn delegation_is_refused_to_non_subjects_and_without_delegate() {
    let t = trio();
    let ttl = Duration::from_secs(10);
    let parent = t.root.issue_token(*t.mid.entity_id(), PSD, &channel(), Duration::from_secs(100), 2);
    // leaf is not the parent's subject.
    assert_eq!(
        t.leaf.delegate(&parent, *t.root.entity_id(), TokenScope::SUBSCRIBE, ttl),
        Err(TokenError::DelegationNotAllowed)
    );
    // Wider scope than the parent.
    assert_eq!(
        t.mid.delegate(&parent, *t.leaf.entity_id(), TokenScope::ADMIN, ttl),
        Err(TokenError::DelegationNotAllowed)
    );
    // Parent without DELEGATE.
    let plain = t.root.issue_token(*t.mid.entity_id(), TokenScope::SUBSCRIBE, &channel(), Duration::from_secs(100), 2);
    assert_eq!(
        t.mid.delegate(&plain, *t.leaf.entity_id(), TokenScope::SUBSCRIBE, ttl),
        Err(TokenError::DelegationNotAllowed)
    );
    // Zero ttl.
    assert_eq!(t.mid.delegate(&parent, *t.leaf.entity_id(), TokenScope::SUBSCRIBE, Duration::ZERO), Err(TokenError::ZeroTtl));
}

#[test]
fn delegation_depth_runs_out() {
    let t = trio();
    let ttl = Duration::from_secs(10);
    let parent = t.root.issue_token(*t.mid.entity_id(), PSD, &channel(), Duration::from_secs(100), 0);
    assert_eq!(
        t.mid.delegate(&parent, *t.leaf.entity_id(), TokenScope::SUBSCRIBE, ttl),
        Err(TokenError::DelegationExhausted)
    );
    let parent = t.root.issue_token(*t.mid.entity_id(), PSD, &channel(), Duration::from_secs(100), 1);
    let child = t.mid.delegate(&parent, *t.leaf.entity_id(), PSD, ttl).unwrap();
    assert_eq!(child.delegation_depth, 0);
    assert_eq!(
        t.leaf.delegate(&child, *t.root.entity_id(), TokenScope::SUBSCRIBE, ttl),
        Err(TokenError::DelegationExhausted)
    );
}

#[test]
fn delegation_from_a_bad_parent_is_refused() {
    let t = trio();
    let ttl = Duration::from_secs(10);
    let mut forged = t.root.issue_token(*t.mid.entity_id(), PSD, &channel(), Duration::from_secs(100), 1);
    forged.scope = TokenScope::ALL;
    assert_eq!(t.mid.delegate(&forged, *t.leaf.entity_id(), TokenScope::ADMIN, ttl), Err(TokenError::InvalidSignature));
    let lapsed = t.root.issue_token_at(*t.mid.entity_id(), PSD, channel().hash(), T0 - 100, T0, 1, 0);
    assert_eq!(t.mid.delegate(&lapsed, *t.leaf.entity_id(), TokenScope::SUBSCRIBE, ttl), Err(TokenError::Expired));
}

#[test]
fn verify_chain_reports_each_broken_rule() {
    let t = trio();
    let (m, l) = (*t.mid.entity_id(), *t.leaf.entity_id());
    let h = channel().hash();
    let root = t.root.issue_token_at(m, PSD, h, T0, T0 + 100, 1, 0);
    let at = T0 + 10;
    let chain = |child: PermissionToken| PermissionToken::verify_chain(&[root.clone(), child], at);

    assert_eq!(PermissionToken::verify_chain(&[], at), Err(TokenError::InvalidFormat));
    chain(t.mid.issue_token_at(l, TokenScope::SUBSCRIBE, h, T0, T0 + 100, 0, 1)).unwrap();
    // Issued by someone other than the parent's subject.
    assert_eq!(chain(t.leaf.issue_token_at(l, TokenScope::SUBSCRIBE, h, T0, T0 + 50, 0, 1)), Err(TokenError::DelegationNotAllowed));
    // Wider scope, other channel, longer life, depth not decremented.
    assert_eq!(chain(t.mid.issue_token_at(l, TokenScope::ADMIN, h, T0, T0 + 50, 0, 1)), Err(TokenError::DelegationNotAllowed));
    assert_eq!(chain(t.mid.issue_token_at(l, TokenScope::SUBSCRIBE, h ^ 1, T0, T0 + 50, 0, 1)), Err(TokenError::DelegationNotAllowed));
    assert_eq!(chain(t.mid.issue_token_at(l, TokenScope::SUBSCRIBE, h, T0, T0 + 101, 0, 1)), Err(TokenError::DelegationNotAllowed));
    assert_eq!(chain(t.mid.issue_token_at(l, TokenScope::SUBSCRIBE, h, T0, T0 + 50, 1, 1)), Err(TokenError::DelegationNotAllowed));
    // Link-level failures surface as themselves.
    let mut forged = t.mid.issue_token_at(l, TokenScope::SUBSCRIBE, h, T0, T0 + 50, 0, 1);
    forged.nonce += 1;
    assert_eq!(chain(forged), Err(TokenError::InvalidSignature));
    assert_eq!(chain(t.mid.issue_token_at(l, TokenScope::SUBSCRIBE, h, T0 + 20, T0 + 50, 0, 1)), Err(TokenError::NotYetValid));
    assert_eq!(chain(t.mid.issue_token_at(l, TokenScope::SUBSCRIBE, h, T0, T0 + 5, 0, 1)), Err(TokenError::Expired));
    assert_eq!(PermissionToken::verify_chain(std::slice::from_ref(&root), T0 + 100), Err(TokenError::Expired));

    // Parent without DELEGATE, and parent at depth 0.
    let plain = t.root.issue_token_at(m, TokenScope::SUBSCRIBE, h, T0, T0 + 100, 1, 0);
    let child = t.mid.issue_token_at(l, TokenScope::SUBSCRIBE, h, T0, T0 + 50, 0, 1);
    assert_eq!(PermissionToken::verify_chain(&[plain, child.clone()], at), Err(TokenError::DelegationNotAllowed));
    let flat = t.root.issue_token_at(m, PSD, h, T0, T0 + 100, 0, 0);
    assert_eq!(PermissionToken::verify_chain(&[flat, child], at), Err(TokenError::DelegationExhausted));
}

// ------------------------------------------------------------------- cache

#[test]
fn cache_install_get_check_and_sweep() {
    let (clock, handle) = Clock::mock(T0 * SECOND);
    let issuer = Identity::from_seed([1; 32]).with_clock(clock.clone());
    let alice = *Identity::from_seed([2; 32]).entity_id();
    let bob = *Identity::from_seed([3; 32]).entity_id();
    let cache = TokenCache::with_clock(clock);
    let ch = channel();
    let h = ch.hash();
    assert!(cache.is_empty());

    let short = issuer.issue_token(alice, TokenScope::SUBSCRIBE, &ch, Duration::from_secs(10), 0);
    let long = issuer.issue_token(bob, TokenScope::PUBLISH | TokenScope::SUBSCRIBE, &ch, Duration::from_secs(100), 0);
    cache.install(short.clone()).unwrap();
    cache.install(long.clone()).unwrap();
    assert_eq!(cache.len(), 2);
    assert_eq!(cache.get(&alice, h), Some(short.clone()));
    assert_eq!(cache.get(&alice, h ^ 1), None);

    cache.check(&alice, h, TokenScope::SUBSCRIBE).unwrap();
    assert_eq!(cache.check(&alice, h, TokenScope::PUBLISH), Err(TokenError::NotAuthorized));
    assert_eq!(cache.check(&alice, h ^ 1, TokenScope::SUBSCRIBE), Err(TokenError::NotAuthorized));
    cache.check(&bob, h, TokenScope::PUBLISH | TokenScope::SUBSCRIBE).unwrap();

    handle.increment(Duration::from_secs(10));
    assert_eq!(cache.get(&alice, h), None, "expired tokens are not returned");
    assert_eq!(cache.check(&alice, h, TokenScope::SUBSCRIBE), Err(TokenError::NotAuthorized));
    assert_eq!(cache.len(), 2, "expired tokens stay until swept");
    assert_eq!(cache.sweep_expired(), 1);
    assert_eq!(cache.len(), 1);
    assert_eq!(cache.sweep_expired(), 0);
    assert_eq!(cache.get(&bob, h), Some(long));

    assert!(cache.remove(&bob, h).is_some());
    assert!(cache.is_empty());
}

#[test]
fn cache_latest_install_replaces() {
    let (clock, _handle) = Clock::mock(T0 * SECOND);
    let issuer = Identity::from_seed([1; 32]).with_clock(clock.clone());
    let alice = *Identity::from_seed([2; 32]).entity_id();
    let cache = TokenCache::with_clock(clock);
    let wide = issuer.issue_token(alice, TokenScope::ALL, &channel(), Duration::from_secs(100), 0);
    let narrow = issuer.issue_token(alice, TokenScope::SUBSCRIBE, &channel(), Duration::from_secs(100), 0);
    cache.install(wide).unwrap();
    cache.check(&alice, channel().hash(), TokenScope::ADMIN).unwrap();
    cache.install(narrow.clone()).unwrap();
    assert_eq!(cache.len(), 1);
    assert_eq!(cache.get(&alice, channel().hash()), Some(narrow));
    assert_eq!(cache.check(&alice, channel().hash(), TokenScope::ADMIN), Err(TokenError::NotAuthorized));
}

#[test]
fn cache_refuses_unverifiable_tokens() {
    let (clock, _handle) = Clock::mock(T0 * SECOND);
    let issuer = Identity::from_seed([1; 32]).with_clock(clock.clone());
    let alice = *Identity::from_seed([2; 32]).entity_id();
    let cache = TokenCache::with_clock(clock);
    let h = channel().hash();
    let mut forged = issuer.issue_token(alice, TokenScope::SUBSCRIBE, &channel(), Duration::from_secs(100), 0);
    forged.scope = TokenScope::ALL;
    assert_eq!(cache.install(forged), Err(TokenError::InvalidSignature));
    let expired = issuer.issue_token_at(alice, TokenScope::SUBSCRIBE, h, T0 - 10, T0, 0, 0);
    assert_eq!(cache.install(expired), Err(TokenError::Expired));
    let early = issuer.issue_token_at(alice, TokenScope::SUBSCRIBE, h, T0 + 1, T0 + 10, 0, 0);
    assert_eq!(cache.install(early), Err(TokenError::NotYetValid));
    assert!(cache.is_empty());
    assert_eq!(cache.check(&alice, h, TokenScope::SUBSCRIBE), Err(TokenError::NotAuthorized));
}

#[test]
fn cache_is_shareable_across_threads() {
    let issuer = Identity::from_seed([1; 32]);
    let cache = std::sync::Arc::new(TokenCache::new());
    let handles: Vec<_> = (0..4u8)
        .map(|i| {
            let cache = cache.clone();
            let issuer = issuer.clone();
            std::thread::spawn(move || {
                let subject = *Identity::from_seed([i + 10; 32]).entity_id();
                let t = issuer.issue_token(subject, TokenScope::PUBLISH, &channel(), Duration::from_secs(60), 0);
                cache.install(t).unwrap();
                cache.check(&subject, channel().hash(), TokenScope::PUBLISH).unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(cache.len(), 4);
}

#[test]
fn a_signed_message_can_never_pass_as_a_token() {
    // Someone tricks an identity into signing bytes that look like a token
    // body; message signatures are domain-tagged, so the result is useless.
    let id = Identity::from_seed([3; 32]);
    let subject = *Identity::from_seed([4; 32]).entity_id();
    let genuine = id.issue_token_at(subject, TokenScope::ADMIN, 1, 0, u64::MAX / 2, 0, 9);
    let mut forged = genuine.clone();
    forged.signature = id.sign(&genuine.signing_message());
    assert_eq!(forged.verify_signature(), Err(TokenError::InvalidSignature));
    let mut body_only = genuine.clone();
    body_only.signature = id.sign(&genuine.to_bytes()[..97]);
    assert_eq!(body_only.verify_signature(), Err(TokenError::InvalidSignature));
    // ...and a token signature is not a valid message signature either.
    assert!(id.verify(&genuine.signing_message(), &genuine.signature).is_err());
    assert!(id.verify(b"hello", &id.sign(b"hello")).is_ok());
}
