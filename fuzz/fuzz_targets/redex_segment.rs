//! RedEX segment files read back from disk: the verifying scan must never
//! panic on any bytes, and the records it accepts re-encode to exactly the
//! bytes it said were good.
#![no_main]

use libfuzzer_sys::fuzz_target;
use net_sdk::redex::internals::{encode_record, scan_segment};

fuzz_target!(|data: &[u8]| {
    let first = data.first().map_or(0, |b| u64::from(*b));
    let (records, good_len, bad) = scan_segment(data, first);
    let mut again = Vec::new();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, first + i as u64, "accepted seqs are consecutive");
        encode_record(&mut again, r.seq, r.ts_nanos, &r.key, &r.payload);
    }
    assert_eq!(again.len() as u64, good_len);
    assert_eq!(&again[..], &data[..good_len as usize]);
    match bad {
        None => assert_eq!(good_len, data.len() as u64),
        Some((offset, _)) => assert_eq!(offset, good_len),
    }
});
