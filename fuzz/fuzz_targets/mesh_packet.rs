//! Datagrams from the network: the mesh's header and frame parsers must
//! never panic on any bytes, and what parses must re-encode to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use net_sdk::mesh::internals::{frames, Frame, PacketHeader, HEADER_LEN};

fuzz_target!(|data: &[u8]| {
    if let Ok((header, body)) = PacketHeader::decode(data) {
        assert_eq!(&header.encode()[..], &data[..HEADER_LEN]);
        assert_eq!(body.len(), data.len() - HEADER_LEN);
    }
    // Plaintext frames (what a packet holds after decryption).
    let mut reencoded = Vec::new();
    let mut consumed_all = true;
    for f in frames(data) {
        match f {
            Ok(frame) => {
                let before = reencoded.len();
                frame.encode(&mut reencoded);
                assert_eq!(reencoded.len() - before, frame.encoded_len());
                if let Frame::Stream { data: d, .. } = frame {
                    assert!(d.len() <= u16::MAX as usize);
                }
            }
            Err(_) => consumed_all = false,
        }
    }
    if consumed_all {
        assert_eq!(reencoded, data, "well-formed frames re-encode byte for byte");
    }
});
