//! Shutdown, draining, Closed errors, and no leaked tasks.

mod common;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::{Backend, MemoryBackend, Net, PollRequest};

#[tokio::test]
async fn after_shutdown_everything_is_closed() {
    let net = Net::builder().build().await.unwrap();
    net.shutdown().await.unwrap();
    assert_eq!(net.emit_raw(&b"x"[..]).unwrap_err().kind(), "closed");
    assert_eq!(net.emit_str("{}").unwrap_err().kind(), "closed");
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
