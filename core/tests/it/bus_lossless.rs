//! The default configuration loses nothing: a producer in a tight loop is
//! slowed to the drain's pace (`Backpressure::Block`), never evicted, and
//! no shard's ring is left undrained while another keeps its drainer busy.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use net_sdk::{Backend, Event, MemoryBackend, Net, PollRequest, ReadOutcome, StoredEvent};

/// Every event in the log, in poll order, as text.
async fn poll_all(net: &Net) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = net.poll(PollRequest { limit: 100_000, cursor }).await.unwrap();
        out.extend(page.events.iter().map(|e| e.raw_str().into_owned()));
        if !page.has_more {
            return out;
        }
        cursor = Some(page.next_id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tight_loop_under_the_defaults_stores_every_event() {
    const N: u64 = 2_000_000;
    let net = Net::builder().build().await.unwrap();
    let producer = net.clone();
    // A plain thread, as a C, Python or Go caller would be.
    std::thread::spawn(move || {
        for i in 0..N {
            let r = producer.emit_raw_copy(format!("{{\"i\":{i}}}").as_bytes()).unwrap();
            assert!(!r.dropped && r.evicted == 0, "{r:?}");
        }
    })
    .join()
    .unwrap();
    net.flush().await.unwrap();
    let stats = net.stats();
    assert_eq!((stats.events_ingested, stats.events_dropped), (N, 0));
    let events = poll_all(&net).await;
    assert_eq!(events.len() as u64, N);
    let distinct: HashSet<&str> = events.iter().map(String::as_str).collect();
    assert_eq!(distinct.len() as u64, N, "every event exactly once");
    for i in [0, 1, N / 2, N - 1] {
        assert!(distinct.contains(format!("{{\"i\":{i}}}").as_str()), "event {i} is missing");
    }
    net.shutdown().await.unwrap();
}

/// A memory backend whose append keeps the CPU busy without awaiting (as
/// a CPU-heavy encoder would): a drain that stays behind a fast producer
/// and never yields inside `append`.
struct BusyBackend(MemoryBackend);

#[async_trait::async_trait]
impl Backend for BusyBackend {
    async fn append(&self, shard: u16, events: &mut Vec<StoredEvent>) -> net_sdk::Result<()> {
        // 1 µs per event: a drain of 1 M events/s, slower than the flood.
        let until = Instant::now() + Duration::from_micros(events.len() as u64);
        while Instant::now() < until {
            std::hint::spin_loop();
        }
        self.0.append(shard, events).await
    }
    async fn read(&self, shard: u16, from: u64, limit: usize, out: &mut Vec<Event>) -> net_sdk::Result<ReadOutcome> {
        self.0.read(shard, from, limit, out).await
    }
    fn tail(&self, shard: u16) -> u64 {
        self.0.tail(shard)
    }
    fn changed(&self) -> &tokio::sync::Notify {
        self.0.changed()
    }
}

/// The stall: with one batcher task per shard, a batcher whose ring never
/// ran empty never yielded its worker (its append never awaits), so on a
/// one-worker runtime the other shards were not drained at all while one
/// shard stayed busy — this test's lone event was never stored (it failed
/// on the batcher of `e7fae9e`). A drainer visits every shard of its group
/// each round: the lone event is stored while the flood goes on.
#[test]
fn a_busy_shard_does_not_starve_the_others() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let backend = Arc::new(BusyBackend(MemoryBackend::new(4, 1 << 16)));
    // FailProducer: the flooder never evicts (which would pop the flood's
    // ring from the producer side and give the drain empty moments).
    let net = rt
        .block_on(Net::builder().shards(4).backpressure(net_sdk::Backpressure::FailProducer).backend(backend.clone()).build())
        .unwrap();
    let flood = Bytes::from_static(b"{\"flood\":true}");
    let flood_shard = net.emit_raw(flood.clone()).unwrap().shard_id;
    let lone = (0..64)
        .map(|i| Bytes::from(format!("{{\"lone\":{i}}}")))
        .find(|p| shard_of(&net, p) != flood_shard)
        .expect("some payload lands on another shard");

    let stop = Arc::new(AtomicBool::new(false));
    let flooder = {
        let (net, stop) = (net.clone(), stop.clone());
        std::thread::spawn(move || {
            // Faster than the drain: the flood's ring never runs empty (a
            // full one refuses the rest of a batch).
            let batch = vec![flood; 256];
            let mut sent = 0u64;
            while !stop.load(Ordering::Relaxed) {
                sent += net.emit_raw_batch(batch.clone()).unwrap_or(0) as u64;
            }
            sent
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let receipt = net.emit_raw(lone.clone()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let stored = loop {
        if backend.tail(receipt.shard_id) > receipt.sequence {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let still_flooding = !flooder.is_finished();
    stop.store(true, Ordering::Relaxed);
    let sent = flooder.join().unwrap();
    assert!(still_flooding && sent > 0);
    assert!(stored, "the lone event on shard {} was not stored while shard {flood_shard} was busy", receipt.shard_id);
    rt.block_on(net.shutdown()).unwrap();
}

/// The shard a payload lands on (the receipt of a throwaway emit).
fn shard_of(net: &Net, payload: &Bytes) -> u16 {
    net.emit_raw(payload.clone()).unwrap().shard_id
}
