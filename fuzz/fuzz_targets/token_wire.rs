//! Token bytes from the network: parsing and verifying arbitrary input must
//! never panic, and whatever parses must re-encode to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use net_sdk::PermissionToken;

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = PermissionToken::from_bytes(data) {
        assert_eq!(&token.to_bytes()[..], data, "a parsed token re-encodes to its bytes");
        let _ = token.verify_at(u64::from_le_bytes(token.to_bytes()[72..80].try_into().unwrap()));
        let _ = PermissionToken::verify_chain(&[token.clone(), token], 0);
    }
});
