//! Session crypto: ChaCha20-Poly1305 with counter nonces, a replay window
//! per key epoch, and rekeying before a counter could wrap.
//!
//! Each direction has its own key (the two halves of the Noise split), so
//! a nonce is never reused: it is the packet's 64-bit counter, which only
//! grows. After `rekey_after` packets the sender moves to the next key
//! epoch, `key' = BLAKE3-derive("net mesh rekey v1", key)`, and restarts its
//! counter; the epoch travels in the (authenticated) header, so the
//! receiver follows without a round trip and keeps the previous epoch for
//! packets still in flight. 65 535 epochs of at most 2^64 packets each
//! cannot be exhausted in practice; if they were, sealing fails and the
//! session must be re-established by a new handshake.
//!
//! The AEAD is `ring`'s ChaCha20-Poly1305 (RFC 8439, assembly per CPU):
//! it costs a fraction of the portable implementation per packet, which
//! matters because every datagram is sealed once and opened once.

use std::sync::Arc;

use parking_lot::Mutex;
use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, CHACHA20_POLY1305};
use zeroize::Zeroize;

use super::packet::{PacketHeader, HEADER_LEN, TAG_LEN};
use super::replay::ReplayWindow;

/// Packets per key epoch unless configured otherwise (far below 2^64, so
/// a long-lived session rotates keys regularly).
pub const DEFAULT_REKEY_AFTER: u64 = 1 << 40;

const REKEY_CONTEXT: &str = "net mesh rekey v1";

struct EpochKey {
    epoch: u16,
    key: [u8; 32],
    cipher: LessSafeKey,
}

impl EpochKey {
    fn new(epoch: u16, key: [u8; 32]) -> Self {
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &key).expect("a 32-byte key is valid");
        Self { epoch, cipher: LessSafeKey::new(unbound), key }
    }

    fn next(&self) -> Option<Self> {
        Some(Self::new(self.epoch.checked_add(1)?, blake3::derive_key(REKEY_CONTEXT, &self.key)))
    }
}

impl Drop for EpochKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

fn nonce(counter: u64) -> Nonce {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&counter.to_le_bytes());
    Nonce::assume_unique_for_key(n)
}

struct TxState {
    /// Shared so a seal can encrypt outside the lock.
    key: Arc<EpochKey>,
    counter: u64,
}

struct RxState {
    current: (EpochKey, ReplayWindow),
    previous: Option<(EpochKey, ReplayWindow)>,
}

/// Why an encrypted packet was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenError {
    /// Authentication failed (tampered, or not sealed by this session).
    Tampered,
    /// A counter seen before or older than the replay window.
    Replayed,
}

/// The keys of one established session, both directions.
pub struct SessionCrypto {
    tx: Mutex<TxState>,
    rx: Mutex<RxState>,
    rekey_after: u64,
}

/// The session's key epochs ran out: a new handshake is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeysExhausted;

impl SessionCrypto {
    /// Keys from the handshake split: `send` seals, `recv` opens.
    pub fn new(send: [u8; 32], recv: [u8; 32], rekey_after: u64) -> Self {
        Self {
            tx: Mutex::new(TxState { key: Arc::new(EpochKey::new(0, send)), counter: 0 }),
            rx: Mutex::new(RxState { current: (EpochKey::new(0, recv), ReplayWindow::default()), previous: None }),
            rekey_after: rekey_after.max(1),
        }
    }

    /// Seal `buf` in place: `buf[..HEADER_LEN]` is overwritten with the
    /// header, `buf[HEADER_LEN..]` (the plaintext) is encrypted and the tag
    /// appended.
    pub fn seal(&self, receiver_index: u32, buf: &mut Vec<u8>) -> Result<(), KeysExhausted> {
        debug_assert!(buf.len() >= HEADER_LEN);
        // Take a counter (rotating if due) under the lock, encrypt outside it.
        let (key, header) = {
            let mut tx = self.tx.lock();
            if tx.counter >= self.rekey_after {
                tx.key = Arc::new(tx.key.next().ok_or(KeysExhausted)?);
                tx.counter = 0;
            }
            let header = PacketHeader::data(receiver_index, tx.key.epoch, tx.counter);
            tx.counter += 1;
            (tx.key.clone(), header)
        };
        let h = header.encode();
        buf[..HEADER_LEN].copy_from_slice(&h);
        let (aad, body) = buf.split_at_mut(HEADER_LEN);
        let tag = key
            .cipher
            .seal_in_place_separate_tag(nonce(header.counter), Aad::from(&*aad), body)
            .expect("a datagram is far below the AEAD's length limit");
        buf.extend_from_slice(tag.as_ref());
        Ok(())
    }

    /// Authenticate and decrypt a `Data` packet in place; on success the
    /// plaintext is `packet[HEADER_LEN..len - TAG_LEN]`.
    pub fn open(&self, header: &PacketHeader, packet: &mut [u8]) -> Result<(), OpenError> {
        let (aad, rest) = packet.split_at_mut(HEADER_LEN);
        let split = rest.len() - TAG_LEN;
        let (body, tag) = rest.split_at_mut(split);
        let tag: Tag = <[u8; TAG_LEN]>::try_from(&*tag).expect("split at TAG_LEN").into();
        let nonce = nonce(header.counter);
        let mut rx = self.rx.lock();
        let rx = &mut *rx;
        let (slot, fresh) = if header.key_epoch == rx.current.0.epoch {
            (Some(&mut rx.current), None)
        } else if rx.previous.as_ref().is_some_and(|p| p.0.epoch == header.key_epoch) {
            (rx.previous.as_mut(), None)
        } else if Some(header.key_epoch) == rx.current.0.epoch.checked_add(1) {
            (None, rx.current.0.next())
        } else {
            return Err(OpenError::Tampered);
        };
        if let Some((key, window)) = slot {
            if !window.check(header.counter) {
                return Err(OpenError::Replayed);
            }
            open_with(&key.cipher, nonce, aad, body, tag)?;
            window.commit(header.counter);
            return Ok(());
        }
        // The sender moved to the next epoch: follow only if it authenticates.
        let key = fresh.ok_or(OpenError::Tampered)?;
        open_with(&key.cipher, nonce, aad, body, tag)?;
        let mut window = ReplayWindow::default();
        window.commit(header.counter);
        let old = std::mem::replace(&mut rx.current, (key, window));
        rx.previous = Some(old);
        Ok(())
    }
}

/// Authenticate and decrypt `body` in place.
fn open_with(cipher: &LessSafeKey, nonce: Nonce, aad: &[u8], body: &mut [u8], tag: Tag) -> Result<(), OpenError> {
    cipher.open_in_place_separate_tag(nonce, Aad::from(aad), tag, body, 0..).map(|_| ()).map_err(|_| OpenError::Tampered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::packet::PacketHeader;

    fn pair(rekey_after: u64) -> (SessionCrypto, SessionCrypto) {
        let (a, b) = ([1u8; 32], [2u8; 32]);
        (SessionCrypto::new(a, b, rekey_after), SessionCrypto::new(b, a, rekey_after))
    }

    fn sealed(s: &SessionCrypto, msg: &[u8]) -> Vec<u8> {
        let mut buf = vec![0u8; HEADER_LEN];
        buf.extend_from_slice(msg);
        s.seal(7, &mut buf).unwrap();
        buf
    }

    fn open(s: &SessionCrypto, mut pkt: Vec<u8>) -> Result<Vec<u8>, OpenError> {
        let (h, _) = PacketHeader::decode(&pkt).unwrap();
        s.open(&h, &mut pkt)?;
        Ok(pkt[HEADER_LEN..pkt.len() - TAG_LEN].to_vec())
    }

    #[test]
    fn round_trip_replay_and_tamper() {
        let (a, b) = pair(DEFAULT_REKEY_AFTER);
        let p = sealed(&a, b"hello");
        assert_eq!(PacketHeader::decode(&p).unwrap().0.counter, 0);
        assert_eq!(open(&b, p.clone()).unwrap(), b"hello");
        assert_eq!(open(&b, p.clone()), Err(OpenError::Replayed));
        let p2 = sealed(&a, b"again");
        for i in [2usize, 5, 9, HEADER_LEN, p2.len() - 1] {
            let mut t = p2.clone();
            t[i] ^= 1;
            if PacketHeader::decode(&t).is_ok() {
                assert_eq!(open(&b, t), Err(OpenError::Tampered), "flipped byte {i}");
            }
        }
        assert_eq!(open(&b, p2).unwrap(), b"again", "tampered copies did not poison the window");
        // The other direction has its own key: a's packet does not open at a.
        assert_eq!(open(&a, sealed(&a, b"x")), Err(OpenError::Tampered));
    }

    #[test]
    fn wire_format_is_standard_chacha20_poly1305() {
        // An independent implementation (RustCrypto) opens what we seal:
        // nonce = 4 zero bytes + the counter little-endian, AAD = the header.
        use chacha20poly1305::aead::AeadInPlace;
        use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
        let key = [0x5Au8; 32];
        let ours = SessionCrypto::new(key, key, DEFAULT_REKEY_AFTER);
        let theirs = ChaCha20Poly1305::new(&key.into());
        for len in [0usize, 1, 63, 64, 1024, 1371] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let p = sealed(&ours, &msg);
            let (h, _) = PacketHeader::decode(&p).unwrap();
            let mut n = [0u8; 12];
            n[4..].copy_from_slice(&h.counter.to_le_bytes());
            let (aad, rest) = p.split_at(HEADER_LEN);
            let (body, tag) = rest.split_at(rest.len() - TAG_LEN);
            let mut plain = body.to_vec();
            theirs.decrypt_in_place_detached(&n.into(), aad, &mut plain, tag.into()).expect("authentic");
            assert_eq!(plain, msg);
            // And the other way: what RustCrypto seals, we open.
            let counter = h.counter + 1000;
            let mut pkt = PacketHeader::data(7, 0, counter).encode().to_vec();
            n[4..].copy_from_slice(&counter.to_le_bytes());
            let mut body = msg.clone();
            let tag = theirs.encrypt_in_place_detached(&n.into(), &pkt, &mut body).unwrap();
            pkt.extend_from_slice(&body);
            pkt.extend_from_slice(&tag);
            assert_eq!(open(&ours, pkt).unwrap(), msg);
        }
    }

    #[test]
    fn rekeys_and_follows_across_epochs() {
        let (a, b) = pair(3);
        let packets: Vec<_> = (0..10u8).map(|i| sealed(&a, &[i])).collect();
        let epochs: Vec<u16> = packets.iter().map(|p| PacketHeader::decode(p).unwrap().0.key_epoch).collect();
        assert_eq!(epochs, vec![0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
        // Deliver out of order across an epoch boundary: the previous epoch still opens.
        assert_eq!(open(&b, packets[0].clone()).unwrap(), [0]);
        assert_eq!(open(&b, packets[4].clone()).unwrap(), [4]);
        assert_eq!(open(&b, packets[2].clone()).unwrap(), [2], "previous epoch kept");
        assert_eq!(open(&b, packets[3].clone()).unwrap(), [3]);
        assert_eq!(open(&b, packets[4].clone()), Err(OpenError::Replayed));
        // Skipping an epoch entirely is refused (no unbounded key derivation).
        assert_eq!(open(&b, packets[9].clone()), Err(OpenError::Tampered));
        for p in &packets[5..9] {
            open(&b, p.clone()).unwrap();
        }
        assert_eq!(open(&b, packets[9].clone()).unwrap(), [9]);
        assert_eq!(open(&b, packets[1].clone()), Err(OpenError::Tampered), "epoch 0 is gone");
    }
}
