//! The datagram header: versioned, fixed size, checked before any read.
//!
//! ```text
//! 0        1       2          4                8                16
//! +--------+-------+----------+----------------+----------------+
//! | version| type  | key epoch| receiver index |    counter     |  then body
//! +--------+-------+----------+----------------+----------------+
//! ```
//! All integers are little-endian. For `Data` packets the 16 header bytes
//! are the AEAD's associated data and `counter` is its nonce, so a header
//! cannot be altered without the packet failing authentication. Handshake
//! packets carry Noise messages in the body; `Reject` carries one reason
//! byte.

use std::fmt;

/// The only wire version this build speaks.
pub const VERSION: u8 = 1;
/// Size of the header in bytes.
pub const HEADER_LEN: usize = 16;
/// Size of the authentication tag after a `Data` body.
pub const TAG_LEN: usize = 16;

/// What a datagram carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PacketType {
    /// Noise message 1, initiator -> responder.
    HandshakeInit = 1,
    /// Noise message 2, responder -> initiator.
    HandshakeResponse = 2,
    /// A handshake refused, with a reason byte (unauthenticated; only
    /// ever shortens a handshake that would fail anyway).
    Reject = 3,
    /// Encrypted frames of an established session.
    Data = 4,
}

impl PacketType {
    fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            1 => Self::HandshakeInit,
            2 => Self::HandshakeResponse,
            3 => Self::Reject,
            4 => Self::Data,
            _ => return None,
        })
    }
}

/// A decoded header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PacketHeader {
    /// What the body is.
    pub kind: PacketType,
    /// Which generation of session keys sealed a `Data` packet.
    pub key_epoch: u16,
    /// The session index the *receiver* chose (0 in `HandshakeInit`).
    pub receiver_index: u32,
    /// The AEAD nonce counter of a `Data` packet (0 otherwise).
    pub counter: u64,
}

/// Why bytes are not a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketError {
    /// Fewer bytes than a header (or a `Data` packet without room for its tag).
    TooShort(usize),
    /// A version this build does not speak.
    UnknownVersion(u8),
    /// A type byte this build does not know.
    UnknownType(u8),
}

impl fmt::Display for PacketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort(n) => write!(f, "packet of {n} bytes is too short"),
            Self::UnknownVersion(v) => write!(f, "unknown packet version {v}"),
            Self::UnknownType(t) => write!(f, "unknown packet type {t}"),
        }
    }
}

impl std::error::Error for PacketError {}

impl PacketHeader {
    /// A `Data` header.
    pub fn data(receiver_index: u32, key_epoch: u16, counter: u64) -> Self {
        Self { kind: PacketType::Data, key_epoch, receiver_index, counter }
    }

    /// A header of a handshake or reject packet.
    pub fn control(kind: PacketType, receiver_index: u32) -> Self {
        Self { kind, key_epoch: 0, receiver_index, counter: 0 }
    }

    /// The 16 wire bytes.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0] = VERSION;
        out[1] = self.kind as u8;
        out[2..4].copy_from_slice(&self.key_epoch.to_le_bytes());
        out[4..8].copy_from_slice(&self.receiver_index.to_le_bytes());
        out[8..16].copy_from_slice(&self.counter.to_le_bytes());
        out
    }

    /// Split `packet` into its header and body. The length is checked
    /// before any field is read; a `Data` body must at least hold a tag.
    pub fn decode(packet: &[u8]) -> Result<(PacketHeader, &[u8]), PacketError> {
        if packet.len() < HEADER_LEN {
            return Err(PacketError::TooShort(packet.len()));
        }
        if packet[0] != VERSION {
            return Err(PacketError::UnknownVersion(packet[0]));
        }
        let kind = PacketType::from_u8(packet[1]).ok_or(PacketError::UnknownType(packet[1]))?;
        if kind == PacketType::Data && packet.len() < HEADER_LEN + TAG_LEN {
            return Err(PacketError::TooShort(packet.len()));
        }
        let header = PacketHeader {
            kind,
            key_epoch: u16::from_le_bytes([packet[2], packet[3]]),
            receiver_index: u32::from_le_bytes(packet[4..8].try_into().expect("4 bytes")),
            counter: u64::from_le_bytes(packet[8..16].try_into().expect("8 bytes")),
        };
        Ok((header, &packet[HEADER_LEN..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kind() -> impl Strategy<Value = PacketType> {
        prop_oneof![
            Just(PacketType::HandshakeInit),
            Just(PacketType::HandshakeResponse),
            Just(PacketType::Reject),
            Just(PacketType::Data),
        ]
    }

    proptest! {
        #[test]
        fn header_round_trips(kind in kind(), epoch: u16, index: u32, counter: u64,
                              body in proptest::collection::vec(any::<u8>(), 16..64)) {
            let h = PacketHeader { kind, key_epoch: epoch, receiver_index: index, counter };
            let mut wire = h.encode().to_vec();
            wire.extend_from_slice(&body);
            let (back, rest) = PacketHeader::decode(&wire).unwrap();
            prop_assert_eq!(back, h);
            prop_assert_eq!(rest, &body[..]);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
            if let Ok((h, rest)) = PacketHeader::decode(&bytes) {
                prop_assert_eq!(&h.encode()[..], &bytes[..HEADER_LEN]);
                prop_assert_eq!(rest.len(), bytes.len() - HEADER_LEN);
            }
        }
    }

    #[test]
    fn refuses_short_unknown_and_tagless_packets() {
        assert_eq!(PacketHeader::decode(&[1; 15]), Err(PacketError::TooShort(15)));
        let mut wire = PacketHeader::data(7, 0, 9).encode().to_vec();
        assert_eq!(PacketHeader::decode(&wire), Err(PacketError::TooShort(16)), "data without a tag");
        wire.extend_from_slice(&[0; TAG_LEN]);
        assert!(PacketHeader::decode(&wire).is_ok());
        wire[0] = 2;
        assert_eq!(PacketHeader::decode(&wire), Err(PacketError::UnknownVersion(2)));
        wire[0] = VERSION;
        wire[1] = 9;
        assert_eq!(PacketHeader::decode(&wire), Err(PacketError::UnknownType(9)));
        let reject = PacketHeader::control(PacketType::Reject, 3).encode();
        assert_eq!(PacketHeader::decode(&reject).unwrap().0.kind, PacketType::Reject);
    }
}
