//! Poll cursors and event ids come back from callers as text: any string
//! must give events or a typed error, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use net_sdk::{EventId, Net, PollRequest};

fn node() -> &'static Net {
    static NODE: OnceLock<Net> = OnceLock::new();
    NODE.get_or_init(|| {
        let net = net_sdk::runtime::block_on(async { Net::builder().shards(3).build().await }).unwrap();
        for i in 0..16u8 {
            net.emit_raw(vec![i]).unwrap();
        }
        net_sdk::runtime::block_on({
            let net = net.clone();
            async move { net.flush().await }
        })
        .unwrap();
        net
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = text.parse::<EventId>();
    let request = PollRequest { limit: 8, cursor: Some(text.to_owned()) };
    let net = node().clone();
    match net_sdk::runtime::block_on(async move { net.poll(request).await }) {
        Ok(page) => assert!(page.events.len() <= 8),
        Err(e) => assert_eq!(e.kind(), "invalid_cursor"),
    }
});
