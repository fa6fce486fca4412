//! Many ed25519 signatures checked in one multi-scalar multiplication.
//!
//! A capability burst (a node joining a large mesh receives every stored
//! announcement at once) is hundreds of signatures; checked one by one,
//! the double-scalar multiplication in each is the whole cost. ed25519-dalek's
//! batch equation folds them into one multiplication, about twice as fast
//! per signature, and accepts a batch only when every signature in it
//! verifies (up to a 2^-128 chance).
//!
//! Strictness is kept: a batch equation does not notice a small-order `R`
//! or key, which `verify_strict` refuses, so those are refused here before
//! the batch. What remains different is a signature whose `R` carries a
//! small torsion component: `verify_strict` always refuses it, a batch
//! accepts it with probability 1/8. Only the key's holder can make one (it
//! is a valid signature plus torsion), so it can never pass for someone
//! else's message; a node that does so only makes its own announcement
//! reach fewer peers.

use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signature, VerifyingKey};

/// Below this many signatures the batch equation saves nothing.
const BATCH_MIN: usize = 8;

/// One signature to check.
pub(crate) struct Signed<'a> {
    /// The signer's key, already decompressed.
    pub key: &'a VerifyingKey,
    /// The exact signed bytes.
    pub message: &'a [u8],
    pub signature: &'a [u8; 64],
}

/// Which of `items` verify under ed25519-dalek's `verify_strict` rules, in
/// order. A failed batch is re-checked one signature at a time, so one bad
/// signature costs its batch about one and a half times the one-by-one
/// price, never a wrong verdict for the others.
pub(crate) fn verify_strict_many(items: &[Signed<'_>]) -> Vec<bool> {
    if items.len() < BATCH_MIN {
        return items.iter().map(verify_one).collect();
    }
    let mut verdicts: Vec<bool> = items.iter().map(|i| !i.key.is_weak() && r_has_large_order(i.signature)).collect();
    let candidates: Vec<usize> = (0..items.len()).filter(|&i| verdicts[i]).collect();
    let messages: Vec<&[u8]> = candidates.iter().map(|&i| items[i].message).collect();
    let signatures: Vec<Signature> = candidates.iter().map(|&i| Signature::from_bytes(items[i].signature)).collect();
    let keys: Vec<VerifyingKey> = candidates.iter().map(|&i| *items[i].key).collect();
    if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_err() {
        for &i in &candidates {
            verdicts[i] = verify_one(&items[i]);
        }
    }
    verdicts
}

fn verify_one(item: &Signed<'_>) -> bool {
    item.key.verify_strict(item.message, &Signature::from_bytes(item.signature)).is_ok()
}

/// The signature's `R` is a curve point outside the small-order subgroup
/// (`verify_strict` refuses the others).
fn r_has_large_order(signature: &[u8; 64]) -> bool {
    let mut r = [0u8; 32];
    r.copy_from_slice(&signature[..32]);
    CompressedEdwardsY(r).decompress().is_some_and(|point| !point.is_small_order())
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    fn signed(n: usize) -> Vec<(VerifyingKey, Vec<u8>, [u8; 64])> {
        (0..n)
            .map(|i| {
                let key = SigningKey::from_bytes(&[i as u8 + 1; 32]);
                let message = format!("message {i}").into_bytes();
                let signature = key.sign(&message).to_bytes();
                (key.verifying_key(), message, signature)
            })
            .collect()
    }

    fn check(items: &[(VerifyingKey, Vec<u8>, [u8; 64])]) -> Vec<bool> {
        let view: Vec<Signed<'_>> =
            items.iter().map(|(key, message, signature)| Signed { key, message, signature }).collect();
        verify_strict_many(&view)
    }

    #[test]
    fn an_honest_batch_verifies_in_every_size() {
        for n in [0, 1, BATCH_MIN - 1, BATCH_MIN, 64, 257] {
            assert_eq!(check(&signed(n)), vec![true; n], "batch of {n}");
        }
    }

    #[test]
    fn one_bad_signature_fails_alone() {
        for n in [3, 64] {
            let mut items = signed(n);
            items[1].1.push(b'!'); // tampered message
            items[2].2[40] ^= 1; // tampered s
            let verdicts = check(&items);
            let expected: Vec<bool> = (0..n).map(|i| i != 1 && i != 2).collect();
            assert_eq!(verdicts, expected, "batch of {n}");
        }
    }

    #[test]
    fn small_order_r_and_non_canonical_s_are_refused_as_verify_strict_does() {
        let mut items = signed(16);
        // R = the identity point (small order), s = 0: the classic
        // small-order forgery shape.
        let mut identity_r = [0u8; 64];
        identity_r[0] = 1;
        items[3].2 = identity_r;
        // s = s + l: the same value, non-canonical (malleated).
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for (byte, add) in items[5].2[32..].iter_mut().zip(l) {
            let sum = u16::from(*byte) + u16::from(add) + carry;
            *byte = sum as u8;
            carry = sum >> 8;
        }
        let verdicts = check(&items);
        for (i, (key, message, signature)) in items.iter().enumerate() {
            let strict = key.verify_strict(message, &Signature::from_bytes(signature)).is_ok();
            assert_eq!(verdicts[i], strict, "item {i} agrees with verify_strict");
        }
        assert!(!verdicts[3] && !verdicts[5]);
        assert_eq!(verdicts.iter().filter(|v| **v).count(), 14);
    }
}
