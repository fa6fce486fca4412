//! An event's bytes while it waits in a ring slot.
//!
//! Callers that hand over a ready `Bytes` keep it as is. Callers that only
//! lend a slice (the C ABI and the bindings copy out of foreign memory)
//! would otherwise allocate once per event on their own thread, and the
//! batcher would free it on another — the costliest pattern for the system
//! allocator (measured: about half of the C ABI's ingest time). Small
//! slices are therefore copied into the slot itself; the batcher turns
//! them into `Bytes` on its own thread, where allocation and the eventual
//! free stay thread-local.

use bytes::Bytes;

/// Payloads up to this many bytes are stored inline in the ring slot. With
/// the stamp and timestamp, a slot still fits one 64-byte cache line.
pub(crate) const INLINE_MAX: usize = 38;

pub(crate) enum Payload {
    Inline { len: u8, data: [u8; INLINE_MAX] },
    Shared(Bytes),
}

impl Payload {
    /// Copy `raw`: inline when it fits, otherwise into a new `Bytes`.
    #[inline]
    pub(crate) fn copy_from(raw: &[u8]) -> Self {
        if raw.len() <= INLINE_MAX {
            let mut data = [0u8; INLINE_MAX];
            data[..raw.len()].copy_from_slice(raw);
            Payload::Inline { len: raw.len() as u8, data }
        } else {
            Payload::Shared(Bytes::copy_from_slice(raw))
        }
    }

    /// The payload as `Bytes` (allocates for an inline payload).
    #[inline]
    pub(crate) fn into_bytes(self) -> Bytes {
        match self {
            Payload::Inline { len, data } => Bytes::copy_from_slice(&data[..len as usize]),
            Payload::Shared(bytes) => bytes,
        }
    }
}

impl From<Bytes> for Payload {
    #[inline]
    fn from(bytes: Bytes) -> Self {
        Payload::Shared(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_payloads_are_inline_and_round_trip() {
        for len in [0, 1, 9, INLINE_MAX] {
            let raw: Vec<u8> = (0..len as u8).collect();
            let p = Payload::copy_from(&raw);
            assert!(matches!(p, Payload::Inline { .. }), "{len} bytes should be inline");
            assert_eq!(p.into_bytes(), raw);
        }
        let big = vec![7u8; INLINE_MAX + 1];
        let p = Payload::copy_from(&big);
        assert!(matches!(p, Payload::Shared(_)));
        assert_eq!(p.into_bytes(), big);
        assert_eq!(Payload::from(Bytes::from_static(b"abc")).into_bytes(), &b"abc"[..]);
    }

    #[test]
    fn a_ring_slot_with_a_payload_still_fits_one_cache_line() {
        assert!(std::mem::size_of::<(u64, Payload)>() + 8 <= 64, "{}", std::mem::size_of::<(u64, Payload)>());
    }
}
