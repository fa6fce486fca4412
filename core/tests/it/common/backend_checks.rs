//! Helpers the server-backed backend tests (`redis_backend`,
//! `jetstream_backend`) share: reading events back, and driving a producer
//! across a server crash. Included with `#[path]` next to `servers.rs`,
//! whose `TestServer` it uses.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use net_sdk::{Net, PollRequest, SdkError};

use super::servers::TestServer;

/// The `n` of a `{"n": ...}` payload.
pub fn n_of(raw: &[u8]) -> u64 {
    let v: serde_json::Value = serde_json::from_slice(raw).unwrap();
    v["n"].as_u64().unwrap()
}

/// Poll everything from the start, page by page.
pub async fn poll_all(net: &Net, page: usize) -> Vec<net_sdk::Event> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let r = net.poll(PollRequest { limit: page, cursor: cursor.take() }).await.unwrap();
        out.extend(r.events);
        cursor = Some(r.next_id);
        if !r.has_more {
            return out;
        }
    }
}

/// Emit `{"n": 0..total}` from a blocking producer while `server` is
/// killed (a quarter of the way in) and restarted (once producers are held
/// back), then flush. Checks that the bus noticed the outage, reconnected
/// and dropped nothing; what reached the server is for the caller to check.
pub async fn emit_across_a_server_crash(net: &Net, server: &mut TestServer, total: u64) {
    let acked = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let producer = {
        let (net, acked, refused) = (net.clone(), acked.clone(), refused.clone());
        tokio::task::spawn_blocking(move || {
            for n in 0..total {
                // Not acknowledged (back-pressure while the server is down): emit it again.
                loop {
                    match net.emit(&serde_json::json!({ "n": n })) {
                        Ok(_) => break,
                        Err(SdkError::Backpressure) => {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => panic!("emit {n}: {e}"),
                    }
                }
                acked.store(n + 1, Ordering::Relaxed);
            }
        })
    };
    while acked.load(Ordering::Relaxed) < total / 4 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill();
    // Wait until the drainers have felt it, and producers are held back.
    while net.stats().backend_errors == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(!net.health().healthy);
    while refused.load(Ordering::Relaxed) == 0 && acked.load(Ordering::Relaxed) < total {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.restart();
    producer.await.unwrap();
    net.flush().await.unwrap();
    let stats = net.stats();
    assert!(stats.reconnects >= 1, "{stats:?}");
    assert_eq!(stats.events_dropped, 0, "{stats:?}");
}
