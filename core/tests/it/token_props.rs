//! Property tests of the token wire form.

use net_sdk::{EntityId, Identity, PermissionToken, TokenScope};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any token `issue_token_at` can make survives to_bytes / from_bytes
    /// unchanged and still verifies.
    #[test]
    fn token_round_trips(
        issuer_seed in any::<[u8; 32]>(),
        subject_seed in any::<[u8; 32]>(),
        bits in 0u32..16,
        channel_hash in any::<u32>(),
        not_before in any::<u64>(),
        span in any::<u64>(),
        depth in any::<u8>(),
        nonce in any::<u64>(),
    ) {
        let issuer = Identity::from_seed(issuer_seed);
        let subject = *Identity::from_seed(subject_seed).entity_id();
        let scope = TokenScope::from_bits(bits).unwrap();
        let not_after = not_before.saturating_add(span);
        let t = issuer.issue_token_at(subject, scope, channel_hash, not_before, not_after, depth, nonce);
        let bytes = t.to_bytes();
        let back = PermissionToken::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&back, &t);
        prop_assert_eq!(back.to_bytes(), bytes);
        prop_assert!(back.verify_signature().is_ok());
    }

    /// Parsing never panics, whatever the bytes and length.
    #[test]
    fn from_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = PermissionToken::from_bytes(&bytes);
        let _ = EntityId::from_bytes(&bytes);
    }

    /// 161 random bytes: parsing never panics, and whatever parses
    /// re-encodes to the same bytes and verifies without panicking.
    #[test]
    fn random_wire_sized_bytes(bytes in proptest::collection::vec(any::<u8>(), 161)) {
        if let Ok(t) = PermissionToken::from_bytes(&bytes) {
            prop_assert_eq!(t.to_bytes().to_vec(), bytes);
            let _ = t.verify_at(0);
        }
    }

    /// Flipping any single bit of a valid token is never accepted.
    #[test]
    fn single_bit_flips_are_rejected(bit in 0usize..(161 * 8)) {
        let issuer = Identity::from_seed([7; 32]);
        let t = issuer.issue_token_at(*issuer.entity_id(), TokenScope::SUBSCRIBE, 42, 100, 200, 1, 9);
        let mut bytes = t.to_bytes();
        bytes[bit / 8] ^= 1 << (bit % 8);
        let outcome = PermissionToken::from_bytes(&bytes).and_then(|t| t.verify_at(150));
        prop_assert!(outcome.is_err());
    }
}
