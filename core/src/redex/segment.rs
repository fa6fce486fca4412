//! Segment files: naming, and the verifying scan run on open.
//!
//! A segment is named after the seq of its first record
//! (`00000000000000000042.log`) and holds consecutive records. The scan
//! reads it front to back and stops at the first record that does not
//! check out, saying whether that record looks like the torn end of an
//! interrupted write (only ever possible at the end of the newest segment)
//! or like damage with data after it.

use std::path::{Path, PathBuf};

use super::record::{body_ok, decode_header, HeaderFault, HEADER_LEN};

/// File name of the segment whose first record is `first_seq`.
pub(crate) fn segment_name(first_seq: u64) -> String {
    format!("{first_seq:020}.log")
}

/// The first seq encoded in a segment file name, if it is one.
pub(crate) fn parse_segment_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".log")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The segments in `dir`, sorted by first seq.
pub(crate) fn list_segments(dir: &Path) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if let Some(first) = entry.file_name().to_str().and_then(parse_segment_name) {
            out.push((first, entry.path()));
        }
    }
    out.sort_unstable_by_key(|(first, _)| *first);
    Ok(out)
}

/// One verified record, borrowed from the scanned bytes.
pub(crate) struct ScannedRecord<'a> {
    pub seq: u64,
    pub ts_nanos: u64,
    pub key: &'a [u8],
    pub payload: &'a [u8],
}

/// Where and why a scan stopped early.
#[derive(Debug)]
pub(crate) struct BadRecord {
    pub offset: u64,
    pub reason: String,
    /// The bad bytes run to the end of the file (possibly followed by
    /// zeros a filesystem left after a crash): the shape of an append that
    /// never finished. Anything else is damage.
    pub torn_shape: bool,
}

/// How a segment scan ended.
pub(crate) struct ScanEnd {
    /// Seq the next record would have.
    pub next_seq: u64,
    /// Bytes of good records.
    pub good_len: u64,
    pub bad: Option<BadRecord>,
}

fn all_zero(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| *b == 0)
}

/// Verify `data` (a whole segment whose first record must be `first_seq`),
/// handing each good record to `each` in order.
pub(crate) fn scan(data: &[u8], first_seq: u64, mut each: impl FnMut(ScannedRecord<'_>)) -> ScanEnd {
    let mut offset = 0usize;
    let mut expected = first_seq;
    let bad = loop {
        let rest = &data[offset..];
        if rest.is_empty() {
            break None;
        }
        if rest.len() < HEADER_LEN {
            break Some(BadRecord {
                offset: offset as u64,
                reason: format!("incomplete header ({} of {HEADER_LEN} bytes)", rest.len()),
                torn_shape: true,
            });
        }
        let raw: &[u8; HEADER_LEN] = rest[..HEADER_LEN].try_into().expect("length checked");
        let header = match decode_header(raw) {
            Ok(h) => h,
            Err(fault) => {
                let reason = match fault {
                    HeaderFault::Checksum => "header checksum mismatch".to_string(),
                    HeaderFault::Format(v) => format!("unknown record format {v}"),
                };
                // A header cut short by a crash is followed by nothing but
                // zeros; one followed by more data was damaged in place.
                let torn_shape = fault == HeaderFault::Checksum && all_zero(&rest[HEADER_LEN..]);
                break Some(BadRecord { offset: offset as u64, reason, torn_shape });
            }
        };
        let record_len = header.record_len() as usize;
        if header.key_len as u32 > header.body_len {
            break Some(BadRecord {
                offset: offset as u64,
                reason: format!("key length {} exceeds body length {}", header.key_len, header.body_len),
                torn_shape: false,
            });
        }
        if rest.len() < record_len {
            break Some(BadRecord {
                offset: offset as u64,
                reason: format!("record of {record_len} bytes runs past the end of the file ({} left)", rest.len()),
                torn_shape: true,
            });
        }
        let body = &rest[HEADER_LEN..record_len];
        if !body_ok(&header, body) {
            break Some(BadRecord {
                offset: offset as u64,
                reason: "payload checksum mismatch".to_string(),
                torn_shape: all_zero(&rest[record_len..]),
            });
        }
        if header.seq != expected {
            break Some(BadRecord {
                offset: offset as u64,
                reason: format!("record has seq {}, expected {expected}", header.seq),
                torn_shape: false,
            });
        }
        let (key, payload) = body.split_at(header.key_len as usize);
        each(ScannedRecord { seq: header.seq, ts_nanos: header.ts_nanos, key, payload });
        expected += 1;
        offset += record_len;
    };
    ScanEnd { next_seq: expected, good_len: bad.as_ref().map_or(data.len() as u64, |b| b.offset), bad }
}

#[cfg(test)]
mod tests {
    use super::super::record::encode;
    use super::*;

    fn segment(first: u64, n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        for s in first..first + n {
            encode(&mut out, s, s * 10, b"", format!("payload-{s}").as_bytes());
        }
        out
    }

    fn seqs(data: &[u8], first: u64) -> (Vec<u64>, ScanEnd) {
        let mut seen = Vec::new();
        let end = scan(data, first, |r| seen.push(r.seq));
        (seen, end)
    }

    /// The fuzz target's properties (fuzz/fuzz_targets/redex_segment.rs),
    /// over random damage of valid segments: never a panic, and what is
    /// accepted re-encodes to exactly the good prefix.
    #[test]
    fn random_damage_never_panics_and_good_prefixes_reencode() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(14);
        let clean = segment(3, 20);
        for _ in 0..2000 {
            let mut data = clean.clone();
            for _ in 0..rng.gen_range(0..4) {
                let at = rng.gen_range(0..data.len());
                data[at] = rng.r#gen();
            }
            data.truncate(rng.gen_range(0..=data.len()));
            let (records, good_len, bad) = super::super::internals::scan_segment(&data, 3);
            let mut again = Vec::new();
            for r in &records {
                encode(&mut again, r.seq, r.ts_nanos, &r.key, &r.payload);
            }
            assert_eq!(&again[..], &data[..good_len as usize]);
            assert_eq!(bad.map_or(data.len() as u64, |(offset, _)| offset), good_len);
        }
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(segment_name(42), "00000000000000000042.log");
        assert_eq!(parse_segment_name(&segment_name(u64::MAX)), Some(u64::MAX));
        assert_eq!(parse_segment_name("42.log"), None);
        assert_eq!(parse_segment_name("0000000000000000004x.log"), None);
        assert_eq!(parse_segment_name("00000000000000000042.tmp"), None);
    }

    #[test]
    fn clean_segment_scans_to_the_end() {
        let data = segment(5, 4);
        let (seen, end) = seqs(&data, 5);
        assert_eq!(seen, vec![5, 6, 7, 8]);
        assert_eq!((end.next_seq, end.good_len), (9, data.len() as u64));
        assert!(end.bad.is_none());
    }

    #[test]
    fn every_cut_point_of_the_last_record_is_a_torn_tail() {
        let data = segment(0, 3);
        let two = segment(0, 2).len();
        for cut in two + 1..data.len() {
            let (seen, end) = seqs(&data[..cut], 0);
            assert_eq!(seen, vec![0, 1], "cut at {cut}");
            let bad = end.bad.expect("bad record");
            assert_eq!(bad.offset, two as u64);
            assert!(bad.torn_shape, "cut at {cut}: {}", bad.reason);
        }
        // Zeros a filesystem appended after a crash are torn too.
        let mut zeroed = data[..two + 10].to_vec();
        zeroed.resize(data.len() + 100, 0);
        assert!(seqs(&zeroed, 0).1.bad.unwrap().torn_shape);
    }

    #[test]
    fn damage_with_data_after_it_is_not_torn() {
        let data = segment(0, 3);
        let one = segment(0, 1).len();
        let mut payload_flip = data.clone();
        payload_flip[one + HEADER_LEN + 2] ^= 0x40;
        let (seen, end) = seqs(&payload_flip, 0);
        assert_eq!(seen, vec![0]);
        let bad = end.bad.unwrap();
        assert_eq!(bad.offset, one as u64);
        assert!(!bad.torn_shape);
        assert!(bad.reason.contains("payload checksum"));
        let mut header_flip = data.clone();
        header_flip[one + 1] ^= 0x01;
        let bad = seqs(&header_flip, 0).1.bad.unwrap();
        assert!(!bad.torn_shape && bad.reason.contains("header checksum"));
        // A well-formed record with the wrong seq is damage as well.
        let bad = seqs(&data, 1).1.bad.unwrap();
        assert_eq!(bad.offset, 0);
        assert!(!bad.torn_shape && bad.reason.contains("expected 1"));
    }
}
