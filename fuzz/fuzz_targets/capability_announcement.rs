//! Capability announcements from the network: decoding arbitrary bytes and
//! offering them to an index must never panic; whatever decodes re-encodes
//! to the same bytes, and the index never accepts a copy whose signature
//! does not check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use net_sdk::capabilities::{CapabilityAnnouncement, CapabilityIndex, IngestOutcome};

fuzz_target!(|data: &[u8]| {
    let decoded = CapabilityAnnouncement::from_bytes(data);
    if let Ok(a) = &decoded {
        assert_eq!(a.to_bytes(), data, "a decoded announcement re-encodes to its bytes");
    }
    let index = CapabilityIndex::new(None);
    let ingested = index.ingest_bytes(data, 1);
    if let Ok((IngestOutcome::Accepted, Some(a))) = &ingested {
        assert!(a.verify().is_ok(), "the index accepted an announcement that does not verify");
        assert_eq!(index.len(), 1);
    }
    assert_eq!(index.stats().received, 1, "every offer is counted once");
});
