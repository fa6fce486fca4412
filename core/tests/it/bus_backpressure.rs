//! Backpressure policies with a tiny ring and a backend held shut, so the
//! ring fills deterministically.

use crate::common;

use std::sync::Arc;

use bytes::Bytes;
use common::GateBackend;
use net_sdk::{Backpressure, Net, PollRequest};

/// A 1-shard node with a 4-slot ring whose batcher is stuck appending the
/// first event ("e0"); the ring is then empty and 4 slots free.
async fn stuck(policy: Backpressure) -> (Net, Arc<GateBackend>) {
    let gate = GateBackend::new(1);
    let net = Net::builder().shards(1).ring_capacity(4).backpressure(policy).backend(gate.clone()).build().await.unwrap();
    net.emit_raw(&b"e0"[..]).unwrap();
    gate.wait_started(1).await;
    (net, gate)
}

fn fill(net: &Net) {
    for i in 1..=4 {
        let r = net.emit_raw(Bytes::from(format!("e{i}"))).unwrap();
        assert_eq!((r.sequence, r.dropped), (i, false));
    }
}

async fn payloads(net: &Net, gate: &GateBackend) -> Vec<String> {
    gate.open();
    net.flush().await.unwrap();
    let r = net.poll(PollRequest { limit: 100, cursor: None }).await.unwrap();
    r.events.iter().map(|e| e.raw_str().into_owned()).collect()
}

#[tokio::test]
async fn drop_newest_discards_the_new_event() {
    let (net, gate) = stuck(Backpressure::DropNewest).await;
    fill(&net);
    let r = net.emit_raw(&b"late"[..]).unwrap();
    assert!(r.dropped);
    assert_eq!(r.sequence, u64::MAX);
    let stats = net.stats();
    assert_eq!(stats.events_dropped, 1);
    assert_eq!(stats.shard_depths, vec![4]);
    assert_eq!(stats.events_ingested, 5);
    assert_eq!(payloads(&net, &gate).await, ["e0", "e1", "e2", "e3", "e4"]);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn drop_oldest_keeps_the_newest() {
    let (net, gate) = stuck(Backpressure::DropOldest).await;
    fill(&net);
    let r5 = net.emit_raw(&b"e5"[..]).unwrap();
    let r6 = net.emit_raw(&b"e6"[..]).unwrap();
    assert_eq!((r5.sequence, r5.dropped, r6.sequence, r6.dropped), (5, false, 6, false));
    assert_eq!(net.stats().events_dropped, 2);
    assert_eq!(net.stats().events_ingested, 7);
    assert_eq!(payloads(&net, &gate).await, ["e0", "e3", "e4", "e5", "e6"]);
    net.shutdown().await.unwrap();
}

/// A ring of 64 slots evicts its 4 oldest events (64 / 16) when one more
/// arrives, not one: the overloaded producer pays one contended pop per
/// run. What survives is still the newest, in order.
#[tokio::test]
async fn drop_oldest_evicts_a_run_of_the_oldest_from_a_larger_ring() {
    let gate = GateBackend::new(1);
    let net = Net::builder()
        .shards(1)
        .ring_capacity(64)
        .backpressure(Backpressure::DropOldest)
        .backend(gate.clone())
        .build()
        .await
        .unwrap();
    net.emit_raw(&b"e0"[..]).unwrap();
    gate.wait_started(1).await;
    for i in 1..=64 {
        assert!(!net.emit_raw(Bytes::from(format!("e{i}"))).unwrap().dropped);
    }
    assert_eq!(net.stats().events_dropped, 0);
    let r = net.emit_raw(&b"e65"[..]).unwrap();
    assert_eq!((r.sequence, r.dropped), (65, false));
    assert_eq!(net.stats().events_dropped, 4);
    assert_eq!(net.stats().shard_depths, vec![61]);
    let kept = payloads(&net, &gate).await;
    let expected: Vec<String> = std::iter::once(0).chain(5..=65).map(|i| format!("e{i}")).collect();
    assert_eq!(kept, expected);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn fail_producer_refuses_and_claims_nothing() {
    let (net, gate) = stuck(Backpressure::FailProducer).await;
    fill(&net);
    let err = net.emit_raw(&b"late"[..]).unwrap_err();
    assert_eq!(err.kind(), "backpressure");
    assert_eq!(net.emit(&serde_json::json!({"x": 1})).unwrap_err().kind(), "backpressure");
    assert_eq!(net.emit_raw_batch(vec![Bytes::from_static(b"b"); 3]).unwrap_err().kind(), "backpressure");
    let stats = net.stats();
    assert_eq!(stats.events_dropped, 0);
    assert_eq!(stats.events_ingested, 5);
    assert_eq!(payloads(&net, &gate).await, ["e0", "e1", "e2", "e3", "e4"]);
    // Space again: the next sequence follows on.
    assert_eq!(net.emit_raw(&b"e5"[..]).unwrap().sequence, 5);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn batch_fail_producer_pushes_what_fits() {
    let (net, gate) = stuck(Backpressure::FailProducer).await;
    net.emit_raw(&b"e1"[..]).unwrap();
    net.emit_raw(&b"e2"[..]).unwrap();
    let batch: Vec<Bytes> = ["b1", "b2", "b3"].iter().map(|s| Bytes::from_static(s.as_bytes())).collect();
    assert_eq!(net.emit_raw_batch(batch).unwrap(), 2);
    assert_eq!(payloads(&net, &gate).await, ["e0", "e1", "e2", "b1", "b2"]);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn batch_drop_newest_counts_the_rest() {
    let (net, gate) = stuck(Backpressure::DropNewest).await;
    net.emit_raw(&b"e1"[..]).unwrap();
    let batch: Vec<Bytes> = (1..=5).map(|i| Bytes::from(format!("b{i}"))).collect();
    assert_eq!(net.emit_raw_batch(batch).unwrap(), 3);
    assert_eq!(net.stats().events_dropped, 2);
    assert_eq!(payloads(&net, &gate).await, ["e0", "e1", "b1", "b2", "b3"]);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn batch_drop_oldest_stores_the_whole_batch() {
    let (net, gate) = stuck(Backpressure::DropOldest).await;
    net.emit_raw(&b"e1"[..]).unwrap();
    net.emit_raw(&b"e2"[..]).unwrap();
    let batch: Vec<Bytes> = (1..=3).map(|i| Bytes::from(format!("b{i}"))).collect();
    assert_eq!(net.emit_raw_batch(batch).unwrap(), 3);
    assert_eq!(net.stats().events_dropped, 1);
    assert_eq!(payloads(&net, &gate).await, ["e0", "e2", "b1", "b2", "b3"]);
    net.shutdown().await.unwrap();
}

/// Two producers hammer a tiny ring: every emitted event is either stored
/// or counted as dropped, exactly once, and each shard's log stays in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounting_is_exact_under_contention() {
    for policy in [Backpressure::DropOldest, Backpressure::DropNewest] {
        let net = Net::builder().shards(2).ring_capacity(16).max_batch(8).backpressure(policy).build().await.unwrap();
        const PER: u64 = 20_000;
        let threads: Vec<_> = (0..2u64)
            .map(|t| {
                let net = net.clone();
                std::thread::spawn(move || {
                    let mut dropped_receipts = 0u64;
                    for i in 0..PER {
                        let r = net.emit_raw(Bytes::from((t * PER + i).to_le_bytes().to_vec())).unwrap();
                        dropped_receipts += u64::from(r.dropped);
                    }
                    dropped_receipts
                })
            })
            .collect();
        let dropped_receipts: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
        net.flush().await.unwrap();
        let stats = net.stats();
        let stored = common::poll_all(&net, 1000).await;
        let mut last = [None::<u64>; 2];
        for e in &stored {
            let s = e.id.shard as usize;
            assert!(last[s].is_none_or(|l| l < e.id.sequence), "{policy:?}: out of order");
            last[s] = Some(e.id.sequence);
        }
        assert_eq!(stored.len() as u64 + stats.events_dropped, 2 * PER, "{policy:?}: {stats:?}");
        match policy {
            Backpressure::DropNewest => {
                assert_eq!(stats.events_dropped, dropped_receipts);
                assert_eq!(stats.events_ingested, stored.len() as u64);
            }
            _ => {
                assert_eq!(dropped_receipts, 0);
                assert_eq!(stats.events_ingested, 2 * PER);
            }
        }
        net.shutdown().await.unwrap();
    }
}

/// Every eviction is reported to the emit that caused it, and the receipts
/// add up to what stats count as dropped.
#[tokio::test]
async fn drop_oldest_reports_evictions_in_the_receipt() {
    let (net, gate) = stuck(Backpressure::DropOldest).await;
    fill(&net);
    let evicted: Vec<u32> = (5..=7).map(|i| net.emit_raw(Bytes::from(format!("e{i}"))).unwrap().evicted).collect();
    assert_eq!(evicted, [1, 1, 1]);
    assert_eq!(net.stats().events_dropped, 3);
    assert_eq!(payloads(&net, &gate).await, ["e0", "e4", "e5", "e6", "e7"]);
    // Room again: nothing is evicted.
    assert_eq!(net.emit_raw(&b"e8"[..]).unwrap().evicted, 0);
    net.shutdown().await.unwrap();
}

/// As `stuck`, under the default policy with `block_timeout`, and with the
/// ring then filled ("e1".."e4").
async fn stuck_and_full(block_timeout: std::time::Duration) -> (Net, Arc<GateBackend>) {
    let gate = GateBackend::new(1);
    let net =
        Net::builder().shards(1).ring_capacity(4).block_timeout(block_timeout).backend(gate.clone()).build().await.unwrap();
    net.emit_raw(&b"e0"[..]).unwrap();
    gate.wait_started(1).await;
    fill(&net);
    (net, gate)
}

/// The default policy waits for room, and once the backend is stuck past
/// `block_timeout` refuses with `Backpressure`, storing and dropping nothing.
#[tokio::test]
async fn block_waits_for_room_then_refuses() {
    let (net, gate) = stuck_and_full(std::time::Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    let err = net.emit_raw(&b"late"[..]).unwrap_err();
    assert_eq!(err.kind(), "backpressure");
    assert!(started.elapsed() >= std::time::Duration::from_millis(50), "refused before the timeout");
    assert_eq!(net.emit_raw_batch(vec![Bytes::from_static(b"b"); 2]).unwrap_err().kind(), "backpressure");
    assert_eq!(net.stats().events_dropped, 0);

    // A producer waiting while the backend recovers is stored, not refused.
    let waiter = {
        let net = net.clone();
        std::thread::spawn(move || net.emit_raw(&b"e5"[..]))
    };
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    gate.open();
    assert_eq!(waiter.join().unwrap().unwrap().sequence, 5);
    assert_eq!(payloads(&net, &gate).await, ["e0", "e1", "e2", "e3", "e4", "e5"]);
    assert_eq!(net.stats().events_dropped, 0);
    net.shutdown().await.unwrap();
}

#[test]
fn block_is_the_default_and_a_zero_timeout_is_refused() {
    assert_eq!(Backpressure::default(), Backpressure::Block);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err = rt.block_on(Net::builder().block_timeout(std::time::Duration::ZERO).build()).err().unwrap();
    assert_eq!(err.kind(), "invalid_config");
}

/// `try_emit_raw_copy` never waits: where `Block` would wait (here for up
/// to an hour) it is refused at once, and nothing is dropped.
#[tokio::test]
async fn try_emit_refuses_at_once_where_block_would_wait() {
    let (net, gate) = stuck_and_full(std::time::Duration::from_secs(3600)).await;
    assert_eq!(net.try_emit_raw_copy(b"late").unwrap_err().kind(), "backpressure");
    assert_eq!(net.stats().events_dropped, 0);
    assert_eq!(payloads(&net, &gate).await, ["e0", "e1", "e2", "e3", "e4"]);
    assert_eq!(net.try_emit_raw_copy(b"e5").unwrap().sequence, 5);
    net.shutdown().await.unwrap();
}

/// A memory backend that takes `delay` over every append: a slow drain
/// that is nonetheless alive.
struct SlowBackend {
    inner: net_sdk::MemoryBackend,
    delay: std::time::Duration,
}

#[async_trait::async_trait]
impl net_sdk::Backend for SlowBackend {
    async fn append(&self, shard: u16, events: &mut Vec<net_sdk::StoredEvent>) -> net_sdk::Result<()> {
        tokio::time::sleep(self.delay).await;
        self.inner.append(shard, events).await
    }
    async fn read(
        &self,
        shard: u16,
        from: u64,
        limit: usize,
        out: &mut Vec<net_sdk::Event>,
    ) -> net_sdk::Result<net_sdk::ReadOutcome> {
        self.inner.read(shard, from, limit, out).await
    }
    fn tail(&self, shard: u16) -> u64 {
        self.inner.tail(shard)
    }
    fn changed(&self) -> &tokio::sync::Notify {
        self.inner.changed()
    }
}

/// Under `Block` a batch longer than the ring waits as long as the drain
/// keeps making room: the timeout counts from the last progress, so a
/// slow but live drain never cuts a batch short.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_batch_outlasting_the_timeout_is_stored_whole_behind_a_live_drain() {
    let slow = Arc::new(SlowBackend { inner: net_sdk::MemoryBackend::new(1, 1 << 10), delay: std::time::Duration::from_millis(2) });
    let net = Net::builder()
        .shards(1)
        .ring_capacity(4)
        .max_batch(1)
        .block_timeout(std::time::Duration::from_millis(20))
        .backend(slow)
        .build()
        .await
        .unwrap();
    let batch: Vec<Bytes> = (0..64).map(|i| Bytes::from(format!("b{i}"))).collect();
    let producer = net.clone();
    let stored = tokio::task::spawn_blocking(move || producer.emit_raw_batch(batch)).await.unwrap().unwrap();
    assert_eq!(stored, 64, "64 appends of 2 ms each outlast the 20 ms timeout, yet all are stored");
    net.flush().await.unwrap();
    assert_eq!((net.stats().events_ingested, net.stats().events_dropped), (64, 0));
    net.shutdown().await.unwrap();
}
