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

use std::mem::MaybeUninit;

use bytes::Bytes;


/// Where an emitted event's bytes come from.
pub(crate) enum Source<'a> {
    /// Lent by the caller: copied (inline when small).
    Borrowed(&'a [u8]),
    /// Handed over: kept as is.
    Owned(Bytes),
}

/// Payloads up to this many bytes are stored inline in the ring slot. With
/// the stamp and timestamp, a slot still fits one 64-byte cache line.
pub(crate) const INLINE_MAX: usize = 38;

pub(crate) enum Payload {
    Inline { len: u8, data: [u8; INLINE_MAX] },
    Shared(Bytes),
}

impl Payload {
    /// Write the payload for `src` into `dst`, a ring slot, in place. A
    /// small borrowed event is zero-filled and then copied straight into
    /// the slot, never assembled elsewhere and moved in whole (a move reads
    /// the narrow writes back with wide loads, which stall; see
    /// `Ring::push_init`).
    #[inline(always)]
    pub(crate) fn write_in_place(dst: &mut MaybeUninit<Payload>, src: Source<'_>) {
        match src {
            Source::Borrowed(raw) if raw.len() <= INLINE_MAX => {
                let written = dst.write(Payload::Inline { len: raw.len() as u8, data: [0; INLINE_MAX] });
                if let Payload::Inline { data, .. } = written {
                    copy_small(data, raw);
                }
            }
            Source::Borrowed(raw) => {
                dst.write(Payload::Shared(Bytes::copy_from_slice(raw)));
            }
            Source::Owned(bytes) => {
                dst.write(Payload::Shared(bytes));
            }
        }
    }

    /// Copy `raw`: inline when it fits, otherwise into a new `Bytes` (the
    /// by-value form of `write_in_place`).
    #[cfg(test)]
    pub(crate) fn copy_from(raw: &[u8]) -> Self {
        let mut out = MaybeUninit::uninit();
        Self::write_in_place(&mut out, Source::Borrowed(raw));
        // SAFETY: `write_in_place` initialises every path.
        unsafe { out.assume_init() }
    }

    /// The payload as `Bytes` (allocates for an inline payload; the bus
    /// itself converts through [`Gather`]).
    #[cfg(test)]
    pub(crate) fn into_bytes(self) -> Bytes {
        match self {
            Payload::Inline { len, data } => Bytes::copy_from_slice(&data[..len as usize]),
            Payload::Shared(bytes) => bytes,
        }
    }
}

/// Copy `src` (at most `INLINE_MAX` bytes) to the front of `dst` with a few
/// fixed-size, possibly overlapping moves instead of a call to `memcpy`:
/// for payloads this small the call and its length dispatch cost more than
/// the copy (measured: about a tenth of the single-emit instructions).
#[inline(always)]
fn copy_small(dst: &mut [u8; INLINE_MAX], src: &[u8]) {
    let n = src.len();
    debug_assert!(n <= INLINE_MAX);
    if n >= 16 {
        dst[..16].copy_from_slice(&src[..16]);
        if n > 32 {
            dst[16..32].copy_from_slice(&src[16..32]);
        }
        dst[n - 16..n].copy_from_slice(&src[n - 16..n]);
    } else if n >= 8 {
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..n].copy_from_slice(&src[n - 8..n]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&src[..4]);
        dst[n - 4..n].copy_from_slice(&src[n - 4..n]);
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = *s;
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
    fn every_inline_length_copies_exactly() {
        let src: Vec<u8> = (1..=INLINE_MAX as u8).collect();
        for len in 0..=INLINE_MAX {
            match Payload::copy_from(&src[..len]) {
                Payload::Inline { len: l, data } => {
                    assert_eq!(l as usize, len);
                    assert_eq!(&data[..len], &src[..len], "{len} bytes");
                    assert!(data[len..].iter().all(|&b| b == 0), "{len} bytes: no stray bytes past the end");
                }
                Payload::Shared(_) => panic!("{len} bytes should be inline"),
            }
        }
    }

    #[test]
    fn a_ring_slot_with_a_payload_still_fits_one_cache_line() {
        assert!(std::mem::size_of::<(u64, Payload)>() + 8 <= 64, "{}", std::mem::size_of::<(u64, Payload)>());
    }
}
