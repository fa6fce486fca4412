//! The on-disk record: a 32-byte header, then the idempotency key (if any),
//! then the payload.
//!
//! ```text
//! 0  u32 body_len   key + payload bytes
//! 4  u16 key_len
//! 6  u16 format     RECORD_FORMAT (1)
//! 8  u64 seq
//! 16 u64 ts_nanos   append time, for age retention
//! 24 u32 body_check low 32 bits of xxh3-64 over the body
//! 28 u32 head_check low 32 bits of xxh3-64 over bytes 0..28
//! ```
//! All integers little-endian. The header has its own checksum so a
//! corrupted length can never be mistaken for a record that runs past the
//! end of the file (which would read as a torn tail and be cut silently).

use xxhash_rust::xxh3::xxh3_64;

/// Header size in bytes.
pub(crate) const HEADER_LEN: usize = 32;
/// The record format version written in every header.
pub(crate) const RECORD_FORMAT: u16 = 1;
/// Largest body (key + payload) a record may carry.
pub(crate) const MAX_BODY_LEN: usize = u32::MAX as usize;
/// Largest idempotency key.
pub(crate) const MAX_KEY_LEN: usize = u16::MAX as usize;

/// A decoded, verified header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub body_len: u32,
    pub key_len: u16,
    pub seq: u64,
    pub ts_nanos: u64,
    pub body_check: u32,
}

impl Header {
    /// Total record size on disk.
    pub fn record_len(&self) -> u64 {
        HEADER_LEN as u64 + self.body_len as u64
    }
}

fn check32(bytes: &[u8]) -> u32 {
    xxh3_64(bytes) as u32
}

/// Append one encoded record to `out`. Lengths were validated by the caller.
pub(crate) fn encode(out: &mut Vec<u8>, seq: u64, ts_nanos: u64, key: &[u8], payload: &[u8]) {
    let body_len = (key.len() + payload.len()) as u32;
    let start = out.len();
    out.reserve(HEADER_LEN + body_len as usize);
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(&(key.len() as u16).to_le_bytes());
    out.extend_from_slice(&RECORD_FORMAT.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&ts_nanos.to_le_bytes());
    // The body check is computed over key and payload without joining them:
    // the streaming hasher avoids a copy of every payload.
    let body_check = if key.is_empty() {
        check32(payload)
    } else {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(key);
        h.update(payload);
        h.digest() as u32
    };
    out.extend_from_slice(&body_check.to_le_bytes());
    let head_check = check32(&out[start..start + 28]);
    out.extend_from_slice(&head_check.to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(payload);
}

/// Why a header could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderFault {
    /// The header checksum does not match.
    Checksum,
    /// The checksum matches but the format is not one we write.
    Format(u16),
}

/// Decode and verify a header from exactly [`HEADER_LEN`] bytes.
pub(crate) fn decode_header(raw: &[u8; HEADER_LEN]) -> Result<Header, HeaderFault> {
    let head_check = u32::from_le_bytes(raw[28..32].try_into().expect("4 bytes"));
    if check32(&raw[..28]) != head_check {
        return Err(HeaderFault::Checksum);
    }
    let format = u16::from_le_bytes(raw[6..8].try_into().expect("2 bytes"));
    if format != RECORD_FORMAT {
        return Err(HeaderFault::Format(format));
    }
    Ok(Header {
        body_len: u32::from_le_bytes(raw[0..4].try_into().expect("4 bytes")),
        key_len: u16::from_le_bytes(raw[4..6].try_into().expect("2 bytes")),
        seq: u64::from_le_bytes(raw[8..16].try_into().expect("8 bytes")),
        ts_nanos: u64::from_le_bytes(raw[16..24].try_into().expect("8 bytes")),
        body_check: u32::from_le_bytes(raw[24..28].try_into().expect("4 bytes")),
    })
}

/// Whether `body` matches the header's body checksum.
pub(crate) fn body_ok(header: &Header, body: &[u8]) -> bool {
    check32(body) == header.body_check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_flipped_bit_is_caught() {
        let mut buf = Vec::new();
        encode(&mut buf, 7, 99, b"key", b"payload");
        assert_eq!(buf.len(), HEADER_LEN + 10);
        let h = decode_header(buf[..HEADER_LEN].try_into().unwrap()).unwrap();
        assert_eq!((h.seq, h.ts_nanos, h.body_len, h.key_len), (7, 99, 10, 3));
        assert!(body_ok(&h, &buf[HEADER_LEN..]));
        for bit in 0..buf.len() * 8 {
            let mut bad = buf.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let caught = match decode_header(bad[..HEADER_LEN].try_into().unwrap()) {
                Err(_) => true,
                Ok(h) => !body_ok(&h, &bad[HEADER_LEN..]),
            };
            assert!(caught, "bit {bit} flip went unnoticed");
        }
    }
}
