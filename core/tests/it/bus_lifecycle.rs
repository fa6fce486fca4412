//! Shutdown, draining, Closed errors, and no leaked tasks.


use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::{Backend, Backpressure, MemoryBackend, Net, PollRequest};

#[tokio::test]
async fn after_shutdown_everything_is_closed() {
    let net = Net::builder().build().await.unwrap();
    net.shutdown().await.unwrap();
    assert_eq!(net.emit_raw(&b"x"[..]).unwrap_err().kind(), "closed");
    assert_eq!(net.emit_str("{}").unwrap_err().kind(), "closed");
    assert_eq!(net.emit_raw_copy(b"x").unwrap_err().kind(), "closed");
    assert_eq!(net.emit_raw_copy_batch(&[b"x", &[7u8; 100]]).unwrap_err().kind(), "closed");
    assert_eq!(net.emit_raw_copy_block(b"xy", &[1, 1]).unwrap_err().kind(), "closed");
    assert_eq!(net.emit(&1).unwrap_err().kind(), "closed");
    assert_eq!(net.emit_batch(&[1, 2]).unwrap_err().kind(), "closed");
    assert_eq!(net.emit_raw_batch(vec![Bytes::new()]).unwrap_err().kind(), "closed");
    assert_eq!(net.poll(PollRequest::default()).await.unwrap_err().kind(), "closed");
    let h = net.health();
    assert!(h.shut_down && !h.healthy);
    assert_eq!(h.batchers_running, 0);
    // Idempotent, and flush has nothing left to wait for.
    net.shutdown().await.unwrap();
    net.clone().shutdown().await.unwrap();
    net.flush().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_every_ring() {
    let backend = Arc::new(MemoryBackend::new(4, 1 << 20));
    let net = Net::builder().shards(4).ring_capacity(1 << 16).backend(backend.clone()).build().await.unwrap();
    for i in 0..50_000u32 {
        net.emit_raw(Bytes::from(i.to_le_bytes().to_vec())).unwrap();
    }
    net.shutdown().await.unwrap();
    let stored: usize = (0..4).map(|s| backend.len(s)).sum();
    assert_eq!(stored, 50_000);
    assert_eq!(net.stats().shard_depths, vec![0; 4]);
    let tails: u64 = (0..4).map(|s| backend.tail(s)).sum();
    assert_eq!(tails, 50_000);
}

#[tokio::test]
async fn concurrent_shutdowns_both_succeed() {
    let net = Net::builder().build().await.unwrap();
    net.emit_raw(&b"x"[..]).unwrap();
    let (a, b) = tokio::join!(net.shutdown(), net.shutdown());
    a.unwrap();
    b.unwrap();
}

#[tokio::test]
async fn dropping_the_last_handle_stops_the_batchers() {
    let backend = Arc::new(MemoryBackend::new(2, 100));
    let net = Net::builder().shards(2).backend(backend.clone()).build().await.unwrap();
    net.emit_raw(&b"x"[..]).unwrap();
    net.flush().await.unwrap();
    assert!(Arc::strong_count(&backend) > 1);
    drop(net);
    // Each batcher holds a clone of the backend until it exits.
    while Arc::strong_count(&backend) > 1 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test]
async fn sequences_continue_a_non_empty_backend() {
    let backend = Arc::new(MemoryBackend::new(1, 100));
    let first = Net::builder().shards(1).backend(backend.clone()).build().await.unwrap();
    for _ in 0..3 {
        first.emit_raw(&b"a"[..]).unwrap();
    }
    first.shutdown().await.unwrap();
    let second = Net::builder().shards(1).backend(backend.clone()).build().await.unwrap();
    assert_eq!(second.emit_raw(&b"b"[..]).unwrap().sequence, 3);
    second.shutdown().await.unwrap();
}

/// Emitters race `shutdown`: every emit either fails with `Closed` or its
/// receipt names an event the backend stored — none is acknowledged and lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_receipt_survives_a_racing_shutdown() {
    for round in 0..20 {
        let backend = Arc::new(MemoryBackend::new(2, 1 << 20));
        // FailProducer: under DropOldest a receipted event may later be
        // evicted by policy, which would hide the loss this test looks for.
        let net = Net::builder()
            .shards(2)
            .ring_capacity(1 << 12)
            .backpressure(Backpressure::FailProducer)
            .backend(backend.clone())
            .build()
            .await
            .unwrap();
        let emitters: Vec<_> = (0..2)
            .map(|t| {
                let net = net.clone();
                std::thread::spawn(move || {
                    let mut receipts = Vec::new();
                    loop {
                        match net.emit_raw(Bytes::from_static(b"{\"x\":1}")) {
                            Ok(r) => receipts.push((r.shard_id, r.sequence)),
                            Err(e) if e.kind() == "backpressure" => std::thread::yield_now(),
                            Err(e) => {
                                assert_eq!(e.kind(), "closed", "emitter {t}: {e}");
                                return receipts;
                            }
                        }
                    }
                })
            })
            .collect();
        // Let the emitters get going, then close under them.
        while net.stats().events_ingested < 1000 {
            tokio::task::yield_now().await;
        }
        net.shutdown().await.unwrap();
        let receipts: Vec<(u16, u64)> = emitters.into_iter().flat_map(|h| h.join().unwrap()).collect();
        let mut stored = std::collections::HashSet::new();
        for shard in 0..2u16 {
            let mut out = Vec::new();
            backend.read(shard, 0, usize::MAX, &mut out).await.unwrap();
            stored.extend(out.iter().map(|e| (shard, e.id.sequence)));
        }
        let lost = receipts.iter().filter(|r| !stored.contains(r)).count();
        assert_eq!(lost, 0, "round {round}: {lost} acknowledged events were not stored");
        assert_eq!(stored.len(), receipts.len(), "round {round}: stored events without a receipt");
    }
}
