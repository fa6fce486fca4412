//! A backend that fails and recovers: the drainers retry the same block
//! (same first sequence, same events) until it is stored, nothing is lost
//! or reordered, producers feel back-pressure meanwhile, and stats and
//! health report the failures, the recovery and the last success.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use net_sdk::{Backend, Backpressure, Event, EventBlock, MemoryBackend, Net, ReadOutcome, Result, SdkError, StoredEvent};
use parking_lot::Mutex;
use tokio::sync::Notify;

/// A memory backend that refuses every append while `down` is set, and
/// records the first sequence and length of every attempted block.
struct Flaky {
    inner: MemoryBackend,
    down: AtomicBool,
    failures: AtomicUsize,
    attempts: Mutex<Vec<(u64, usize, bool)>>,
}

#[async_trait]
impl Backend for Flaky {
    async fn append(&self, shard: u16, events: &mut Vec<StoredEvent>) -> Result<()> {
        self.inner.append(shard, events).await
    }

    async fn append_block(&self, shard: u16, block: &EventBlock) -> Result<()> {
        let down = self.down.load(Ordering::SeqCst);
        self.attempts.lock().push((block.first_sequence(), block.len(), down));
        if down {
            self.failures.fetch_add(1, Ordering::SeqCst);
            return Err(SdkError::Backend("server down".into()));
        }
        self.inner.append_block(shard, block).await
    }

    async fn read(&self, shard: u16, from: u64, limit: usize, out: &mut Vec<Event>) -> Result<ReadOutcome> {
        self.inner.read(shard, from, limit, out).await
    }

    fn tail(&self, shard: u16) -> u64 {
        self.inner.tail(shard)
    }

    fn changed(&self) -> &Notify {
        self.inner.changed()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_backend_is_retried_without_loss_or_reordering() {
    let backend = Arc::new(Flaky {
        inner: MemoryBackend::new(1, 1 << 20),
        down: AtomicBool::new(true),
        failures: AtomicUsize::new(0),
        attempts: Mutex::new(Vec::new()),
    });
    let net = Net::builder()
        .shards(1)
        .ring_capacity(64)
        .backpressure(Backpressure::FailProducer)
        .backend(backend.clone())
        .build()
        .await
        .unwrap();
    // While the backend is down the ring fills, and the producer is refused.
    let mut accepted = 0u64;
    loop {
        match net.emit_str(&format!("{{\"n\":{accepted}}}")) {
            Ok(r) => {
                assert_eq!(r.sequence, accepted);
                accepted += 1;
            }
            Err(SdkError::Backpressure) => break,
            Err(e) => panic!("{e}"),
        }
    }
    while backend.failures.load(Ordering::SeqCst) < 3 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let h = net.health();
    assert!(!h.healthy && h.backend_errors >= 3 && h.since_last_success.is_none(), "{h:?}");
    backend.down.store(false, Ordering::SeqCst);
    net.flush().await.unwrap();
    for n in accepted..accepted + 100 {
        net.emit_str(&format!("{{\"n\":{n}}}")).unwrap();
        net.flush().await.unwrap();
    }
    let s = net.stats();
    assert_eq!((s.events_dropped, s.reconnects), (0, 1), "{s:?}");
    assert!(s.backend_errors >= 3 && s.since_last_success.is_some(), "{s:?}");
    assert!(net.health().healthy);

    // Every failed attempt was the same block again: the first one.
    let attempts = backend.attempts.lock().clone();
    let first = attempts[0];
    assert!(attempts.iter().filter(|a| a.2).all(|a| (a.0, a.1) == (first.0, first.1)), "{attempts:?}");
    // Everything arrived once, in order.
    let page = net.poll(net_sdk::PollRequest { limit: 10_000, cursor: None }).await.unwrap();
    let ns: Vec<u64> = page
        .events
        .iter()
        .map(|e| e.parse::<serde_json::Value>().unwrap()["n"].as_u64().unwrap())
        .collect();
    assert_eq!(ns, (0..accepted + 100).collect::<Vec<_>>());
    net.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_gives_up_on_a_backend_that_stays_down() {
    let backend = Arc::new(Flaky {
        inner: MemoryBackend::new(1, 16),
        down: AtomicBool::new(true),
        failures: AtomicUsize::new(0),
        attempts: Mutex::new(Vec::new()),
    });
    let net = Net::builder().shards(1).backend(backend.clone()).build().await.unwrap();
    net.emit_str("{}").unwrap();
    // Shutdown retries for SHUTDOWN_RETRY (5 s), then counts the block as dropped.
    let _ = net.shutdown().await;
    assert_eq!(net.stats().events_dropped, 1);
    assert!(backend.failures.load(Ordering::SeqCst) >= 2);
}
