//! Channel names from users and peers: validation must never panic, and an
//! accepted name keeps its bytes and hashes consistently.
#![no_main]

use libfuzzer_sys::fuzz_target;
use net_sdk::ChannelName;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(name) = ChannelName::new(text) {
        assert_eq!(name.as_str(), text);
        assert_eq!(name.wire_hash(), name.hash() as u16);
    }
});
