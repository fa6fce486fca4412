//! UDP segmentation offload, the pure half: which datagrams may leave in
//! one GSO send, and how a GRO-coalesced receive splits back into them.
//!
//! With GSO (`UDP_SEGMENT`) one `sendmsg` hands the kernel a buffer that it
//! cuts into datagrams of one segment size (the last may be shorter), so a
//! burst of full datagrams costs one trip through the network stack instead
//! of one per datagram. With GRO (`UDP_GRO`) the receiver gets such a burst
//! back as one buffer plus the segment size. Each segment is exactly one of
//! our datagrams: the size on the wire never exceeds `max_datagram`.

use std::ops::Range;

/// Most segments per GSO send (the kernel's `UDP_MAX_SEGMENTS` is at
/// least this on every kernel that has GSO).
pub const MAX_SEGMENTS: usize = 64;
/// Most bytes per GSO send: the UDP payload limit of IPv4 (65 507) with
/// room to spare for IPv6 extension headers.
pub const MAX_GSO_BYTES: usize = 65_000;

/// A run of consecutive datagrams that can go out as one GSO send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Index of the first datagram.
    pub start: usize,
    /// Number of datagrams (1 means a plain send).
    pub count: usize,
    /// Length of every datagram but the last, which may be shorter.
    pub segment: usize,
}

/// Split datagrams of lengths `lens` into GSO runs, in order: each run is
/// datagrams of one length, optionally closed by one shorter datagram,
/// within [`MAX_SEGMENTS`] and [`MAX_GSO_BYTES`]. Empty datagrams stand
/// alone (a zero segment size would mean "no segmentation").
pub fn gso_runs(lens: &[usize], out: &mut Vec<Run>) {
    out.clear();
    let mut i = 0;
    while i < lens.len() {
        let segment = lens[i];
        let mut count = 1;
        let mut bytes = segment;
        if segment > 0 {
            while i + count < lens.len() && count < MAX_SEGMENTS {
                let next = lens[i + count];
                if next > segment || next == 0 || bytes + next > MAX_GSO_BYTES {
                    break;
                }
                count += 1;
                bytes += next;
                if next < segment {
                    // A shorter datagram can only close a run.
                    break;
                }
            }
        }
        out.push(Run { start: i, count, segment });
        i += count;
    }
}

/// The datagrams inside a received buffer of `len` bytes that the kernel
/// coalesced with segment size `segment` (0: not coalesced, one datagram).
/// A segment size that is zero or not smaller than the buffer means one
/// datagram; a short final piece is a datagram of its own, as GRO makes it.
pub fn gro_segments(len: usize, segment: usize) -> impl Iterator<Item = Range<usize>> {
    let step = if segment == 0 || segment >= len { len.max(1) } else { segment };
    // `len.max(1)`: an empty datagram is still one (malformed) datagram.
    (0..len.max(1)).step_by(step).map(move |start| start..(start + step).min(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(lens: &[usize]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        gso_runs(lens, &mut out);
        out.iter().map(|r| (r.start, r.count, r.segment)).collect()
    }

    #[test]
    fn equal_datagrams_share_a_run_and_a_shorter_one_closes_it() {
        assert_eq!(runs(&[]), vec![]);
        assert_eq!(runs(&[1400; 3]), vec![(0, 3, 1400)]);
        assert_eq!(runs(&[1400, 1400, 900, 1400]), vec![(0, 3, 1400), (3, 1, 1400)]);
        // A longer datagram cannot join: it starts the next run.
        assert_eq!(runs(&[100, 200, 200]), vec![(0, 1, 100), (1, 2, 200)]);
        assert_eq!(runs(&[0, 0, 5]), vec![(0, 1, 0), (1, 1, 0), (2, 1, 5)]);
        assert_eq!(runs(&[5, 0]), vec![(0, 1, 5), (1, 1, 0)]);
    }

    #[test]
    fn runs_respect_the_segment_and_byte_limits() {
        let big = vec![1400; 100];
        let r = runs(&big);
        let per = MAX_GSO_BYTES / 1400;
        assert!(r.iter().all(|&(_, count, _)| count <= per && count * 1400 <= MAX_GSO_BYTES));
        assert_eq!(r.iter().map(|&(_, c, _)| c).sum::<usize>(), 100);
        assert_eq!(r[0], (0, per, 1400));
        let small = vec![10; 200];
        let r = runs(&small);
        assert_eq!(r[0], (0, MAX_SEGMENTS, 10));
        assert_eq!(r.len(), 200usize.div_ceil(MAX_SEGMENTS));
    }

    #[test]
    fn gro_split_round_trips_a_gso_run() {
        // Lay out a run as the kernel would coalesce it, then split it.
        let lens = [1400, 1400, 1400, 333];
        let mut r = Vec::new();
        gso_runs(&lens, &mut r);
        assert_eq!(r.len(), 1);
        let total: usize = lens.iter().sum();
        let pieces: Vec<_> = gro_segments(total, r[0].segment).collect();
        assert_eq!(pieces, vec![0..1400, 1400..2800, 2800..4200, 4200..4533]);
    }

    #[test]
    fn gro_split_tolerates_odd_segment_sizes() {
        assert_eq!(gro_segments(100, 0).collect::<Vec<_>>(), vec![0..100], "not coalesced");
        assert_eq!(gro_segments(100, 100).collect::<Vec<_>>(), vec![0..100]);
        assert_eq!(gro_segments(100, 4000).collect::<Vec<_>>(), vec![0..100], "segment larger than the buffer");
        assert_eq!(gro_segments(10, 3).collect::<Vec<_>>(), vec![0..3, 3..6, 6..9, 9..10], "short tail");
        assert_eq!(gro_segments(0, 0).collect::<Vec<_>>(), vec![0..0], "an empty datagram is still one datagram");
        assert_eq!(gro_segments(5, 1).count(), 5);
    }
}
