//! Emit, flush, poll, cursors, fairness, retention, builder validation.

use crate::common;

use std::collections::HashMap;

use bytes::Bytes;
use net_sdk::{Clock, Net, PollRequest, ShardStrategy};

#[tokio::test]
async fn round_trip_receipts_match_polled_events() {
    let (clock, _handle) = Clock::mock(1_700_000_000_000_000_000);
    let net = Net::builder().shards(4).clock(clock).memory().build().await.unwrap();
    let mut receipts = vec![
        (net.emit(&serde_json::json!({"token": "hello", "index": 0})).unwrap(), "{\"index\":0,\"token\":\"hello\"}".to_string()),
        (net.emit_raw(b"{\"token\": \"world\"}" as &[u8]).unwrap(), "{\"token\": \"world\"}".to_string()),
        (net.emit_str("{\"token\": \"foo\"}").unwrap(), "{\"token\": \"foo\"}".to_string()),
    ];
    for i in 0..50 {
        let s = format!("{{\"i\":{i}}}");
        receipts.push((net.emit_raw(Bytes::from(s.clone())).unwrap(), s));
    }
    assert_eq!(net.emit_batch(&[serde_json::json!({"a": 1}), serde_json::json!({"a": 2})]).unwrap(), 2);
    net.flush().await.unwrap();
    let resp = net.poll(PollRequest { limit: 1000, ..Default::default() }).await.unwrap();
    assert_eq!(resp.events.len(), 55);
    assert!(!resp.has_more);
    let by_id: HashMap<_, _> = resp.events.iter().map(|e| ((e.id.shard, e.id.sequence), e)).collect();
    for (r, payload) in &receipts {
        assert!(!r.dropped);
        assert_eq!(r.timestamp, 1_700_000_000_000_000_000);
        let e = by_id[&(r.shard_id, r.sequence)];
        assert_eq!(e.raw_str(), payload.as_str());
        assert_eq!(e.shard_id, r.shard_id);
        assert_eq!(e.insertion_ts, r.timestamp);
    }
    let stats = net.stats();
    assert_eq!(stats.events_ingested, 55);
    assert_eq!(stats.events_dropped, 0);
    assert!(stats.batches_dispatched >= 1);
    assert_eq!(stats.shard_depths, vec![0; 4]);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn hash_strategy_is_deterministic() {
    let net = Net::builder().shards(8).build().await.unwrap();
    let a = net.emit_raw(&b"same"[..]).unwrap();
    let b = net.emit_raw(&b"same"[..]).unwrap();
    assert_eq!(a.shard_id, b.shard_id);
    assert_eq!(b.sequence, a.sequence + 1);
    net.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_resume_yields_everything_exactly_once_in_order() {
    let net = Net::builder().shards(4).ring_capacity(64).backpressure(net_sdk::Backpressure::FailProducer).build().await.unwrap();
    let mut receipts = Vec::new();
    for i in 0..3000u32 {
        let payload = Bytes::from(format!("e{i}"));
        loop {
            match net.emit_raw(payload.clone()) {
                Ok(r) => break receipts.push(r),
                Err(e) => {
                    assert_eq!(e.kind(), "backpressure");
                    tokio::task::yield_now().await;
                }
            }
        }
    }
    net.flush().await.unwrap();
    for page in [1, 3, 7, 100] {
        let events = common::poll_all(&net, page).await;
        assert_eq!(events.len(), receipts.len(), "page {page}");
        let mut last: HashMap<u16, u64> = HashMap::new();
        for e in &events {
            if let Some(prev) = last.insert(e.id.shard, e.id.sequence) {
                assert!(prev < e.id.sequence, "out of order on shard {}", e.id.shard);
            }
        }
        let mut got: Vec<_> = events.iter().map(|e| (e.id.shard, e.id.sequence)).collect();
        let mut want: Vec<_> = receipts.iter().map(|r| (r.shard_id, r.sequence)).collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
    }
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn poll_is_fair_across_shards() {
    let net = Net::builder().shards(2).shard_strategy(ShardStrategy::RoundRobin).build().await.unwrap();
    let busy: Vec<Bytes> = (0..100).map(|i| Bytes::from(format!("{i}"))).collect();
    assert_eq!(net.emit_raw_batch(busy).unwrap(), 100); // one shard
    assert_eq!(net.emit_raw_batch(vec![Bytes::from_static(b"x"); 3]).unwrap(), 3); // the other
    net.flush().await.unwrap();
    let r = net.poll(PollRequest { limit: 10, cursor: None }).await.unwrap();
    assert_eq!(r.events.len(), 10);
    let quiet = r.events.iter().filter(|e| e.raw.as_ref() == b"x").count();
    assert_eq!(quiet, 3, "the quiet shard was starved");
    assert!(r.has_more);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn invalid_and_wrong_shard_count_cursors_are_refused() {
    let net = Net::builder().shards(4).build().await.unwrap();
    for bad in ["", "nope", "0:1", "0:1,1:1,2:1", "0:1,1:1,2:1,3:1,4:1", "0:a,1:1,2:1,3:1", "0:1,1:1,1:1,3:1"] {
        let err = net.poll(PollRequest { limit: 10, cursor: Some(bad.into()) }).await.unwrap_err();
        assert_eq!(err.kind(), "invalid_cursor", "{bad:?}");
    }
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn limit_zero_returns_nothing_and_keeps_the_cursor() {
    let net = Net::builder().shards(2).build().await.unwrap();
    let r = net.poll(PollRequest { limit: 0, cursor: None }).await.unwrap();
    assert!(r.events.is_empty());
    assert_eq!(r.next_id, "0:0,1:0");
    assert!(!r.has_more);
    net.emit_raw(&b"1"[..]).unwrap();
    net.flush().await.unwrap();
    let r = net.poll(PollRequest { limit: 0, cursor: Some("1:0,0:0".into()) }).await.unwrap();
    assert!(r.events.is_empty());
    assert_eq!(r.next_id, "0:0,1:0");
    assert!(r.has_more);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn retention_evicts_the_oldest() {
    let net = Net::builder().shards(1).retention(10).build().await.unwrap();
    for i in 0..25 {
        net.emit_raw(Bytes::from(format!("{i}"))).unwrap();
    }
    net.flush().await.unwrap();
    let r = net.poll(PollRequest { limit: 100, cursor: None }).await.unwrap();
    let seqs: Vec<u64> = r.events.iter().map(|e| e.id.sequence).collect();
    assert_eq!(seqs, (15..25).collect::<Vec<_>>());
    assert_eq!(r.events[0].raw_str(), "15");
    // An old cursor resumes at the oldest retained event.
    let r = net.poll(PollRequest { limit: 100, cursor: Some("0:3".into()) }).await.unwrap();
    assert_eq!(r.events.first().map(|e| e.id.sequence), Some(15));
    assert_eq!(r.next_id, "0:25");
    net.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_producer_threads() {
    let net = Net::builder().shards(4).ring_capacity(1 << 16).build().await.unwrap();
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let net = net.clone();
            std::thread::spawn(move || {
                for i in 0..10_000 {
                    net.emit_raw(Bytes::from(format!("{t}-{i}"))).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    net.flush().await.unwrap();
    assert_eq!(net.stats().events_ingested, 20_000);
    assert_eq!(net.stats().events_dropped, 0);
    let events = common::poll_all(&net, 4096).await;
    assert_eq!(events.len(), 20_000);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn builder_validation() {
    type B = fn(net_sdk::NetBuilder) -> net_sdk::NetBuilder;
    let bad: [B; 8] = [
        |b| b.shards(0),
        |b| b.shards(1025),
        |b| b.ring_capacity(0),
        |b| b.ring_capacity(1),
        |b| b.ring_capacity((1 << 24) + 1),
        |b| b.retention(0),
        |b| b.max_batch(0),
        |b| b.max_delay(std::time::Duration::ZERO),
    ];
    for f in bad {
        let err = f(Net::builder()).build().await.unwrap_err();
        assert_eq!(err.kind(), "invalid_config");
    }
    let net = Net::builder().ring_capacity(1000).build().await.unwrap();
    assert_eq!(net.bus().ring_capacity(), 1024);
    assert_eq!(net.shards(), 4);
    let h = net.health();
    assert!(h.healthy && !h.shut_down);
    assert_eq!(h.shards, 4);
    net.shutdown().await.unwrap();
}

#[test]
fn build_outside_a_tokio_runtime_is_refused() {
    let err = futures::executor::block_on(Net::builder().build()).unwrap_err();
    assert_eq!(err.kind(), "invalid_config");
}

#[test]
fn backpressure_from_str() {
    use net_sdk::Backpressure;
    assert_eq!("drop_oldest".parse::<Backpressure>().unwrap(), Backpressure::DropOldest);
    assert_eq!("FailProducer".parse::<Backpressure>().unwrap(), Backpressure::FailProducer);
    assert_eq!("drop-newest".parse::<Backpressure>().unwrap_err().kind(), "invalid_config");
}

#[test]
fn handles_are_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Net>();
    check::<net_sdk::EventBus>();
    check::<net_sdk::Receipt>();
    check::<net_sdk::Event>();
    fn cheap_clone<T: Clone>() {}
    cheap_clone::<Net>();
}

/// Borrowed bytes are copied: small ones inline in the ring slot, larger
/// ones into their own buffer. Both come back byte for byte, in order.
#[tokio::test]
async fn emit_raw_copy_round_trips_small_and_large_events() {
    let net = Net::builder().shards(1).build().await.unwrap();
    let sizes = [0usize, 1, 9, 37, 38, 39, 64, 1000];
    let mut buffer = Vec::new();
    for (i, &n) in sizes.iter().enumerate() {
        buffer.clear();
        buffer.extend((0..n).map(|k| (k + i) as u8));
        let receipt = net.emit_raw_copy(&buffer).unwrap();
        assert_eq!(receipt.sequence, i as u64);
    }
    net.flush().await.unwrap();
    let page = net.poll(PollRequest { limit: 100, cursor: None }).await.unwrap();
    assert_eq!(page.events.len(), sizes.len());
    for (i, (event, &n)) in page.events.iter().zip(&sizes).enumerate() {
        let want: Vec<u8> = (0..n).map(|k| (k + i) as u8).collect();
        assert_eq!(&event.raw[..], &want[..], "event {i} of {n} bytes");
    }
    net.shutdown().await.unwrap();
}

/// A borrowed batch is copied once, lands on one shard in order, and
/// every event keeps exactly its own bytes.
#[tokio::test]
async fn emit_raw_copy_batch_keeps_each_event_and_the_order() {
    let net = Net::builder().shards(2).build().await.unwrap();
    let owned: Vec<Vec<u8>> = (0..50u8).map(|i| vec![i; i as usize]).collect();
    let borrowed: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    assert_eq!(net.emit_raw_copy_batch(&borrowed).unwrap(), 50);
    assert_eq!(net.emit_raw_copy_batch(&[]).unwrap(), 0);
    net.flush().await.unwrap();
    let page = net.poll(PollRequest { limit: 100, cursor: None }).await.unwrap();
    assert_eq!(page.events.len(), 50);
    let shard = page.events[0].shard_id;
    for (i, event) in page.events.iter().enumerate() {
        assert_eq!(event.shard_id, shard, "a batch lands on one shard");
        assert_eq!(&event.raw[..], &owned[i][..]);
    }
    net.shutdown().await.unwrap();
}

/// A block of events laid back to back is cut by its lengths (empty
/// events included), lands on one shard in order, and is refused whole
/// when the lengths do not add up to the block.
#[tokio::test]
async fn emit_raw_copy_block_cuts_the_block_by_its_lengths() {
    let net = Net::builder().shards(2).build().await.unwrap();
    let owned: Vec<Vec<u8>> = (0..40u8).map(|i| vec![b'a' + i % 26; (i % 7) as usize]).collect();
    let block: Vec<u8> = owned.concat();
    let lens: Vec<usize> = owned.iter().map(Vec::len).collect();
    assert_eq!(net.emit_raw_copy_block(&block, &lens).unwrap(), 40);
    assert_eq!(net.emit_raw_copy_block(&[], &[]).unwrap(), 0);
    for (bad_block, bad_lens) in [(&block[..], &lens[..lens.len() - 1]), (&block[1..], &lens[..]), (&block[..], &[usize::MAX, 2][..])] {
        let err = net.emit_raw_copy_block(bad_block, bad_lens).unwrap_err();
        assert_eq!(err.kind(), "invalid_argument", "{err}");
    }
    net.flush().await.unwrap();
    let page = net.poll(PollRequest { limit: 100, cursor: None }).await.unwrap();
    assert_eq!(page.events.len(), 40, "the refused blocks stored nothing");
    let shard = page.events[0].shard_id;
    for (i, event) in page.events.iter().enumerate() {
        assert_eq!(event.shard_id, shard, "a block lands on one shard");
        assert_eq!(&event.raw[..], &owned[i][..], "event {i}");
    }
    net.shutdown().await.unwrap();
}
