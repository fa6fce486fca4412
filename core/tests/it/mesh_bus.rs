//! `Net::builder().mesh(..)`: events emitted on one node reach the other
//! node's `poll` and `subscribe`, and local events stay visible locally.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::StreamExt;
use net_sdk::mesh::MeshBuilder;
use net_sdk::{Mesh, Net, PollRequest, SdkError, SubscribeOpts};

const LONG: Duration = Duration::from_secs(30);

async fn pair() -> (Mesh, Mesh) {
    crate::common::started_pair(&[9; 32]).await
}

async fn poll_all(net: &Net, want: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        let page = net.poll(PollRequest { limit: 100_000, ..Default::default() }).await.unwrap();
        if page.events.len() >= want {
            return page.events.iter().map(|e| e.raw_str().into_owned()).collect();
        }
        assert!(tokio::time::Instant::now() < deadline, "only {} of {want} events arrived", page.events.len());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_events_reach_poll_and_subscribe() {
    let (a, b) = pair().await;
    let net_a = Net::builder().shards(2).mesh(a.clone()).build().await.unwrap();
    let net_b = Net::builder().shards(2).mesh(b.clone()).build().await.unwrap();
    let mut live_b = net_b.subscribe(SubscribeOpts { from_beginning: true, ..Default::default() });

    for i in 0..500 {
        net_a.emit_str(&format!(r#"{{"from":"a","i":{i}}}"#)).unwrap();
    }
    net_b.emit_str(r#"{"from":"b","i":0}"#).unwrap();
    net_a.flush().await.unwrap();
    net_b.flush().await.unwrap();

    // b sees a's 500 events and its own.
    let seen_b: BTreeSet<String> = poll_all(&net_b, 501).await.into_iter().collect();
    assert_eq!(seen_b.len(), 501);
    for i in 0..500 {
        assert!(seen_b.contains(&format!(r#"{{"from":"a","i":{i}}}"#)));
    }
    // a sees its own and b's.
    let seen_a: BTreeSet<String> = poll_all(&net_a, 501).await.into_iter().collect();
    assert!(seen_a.contains(r#"{"from":"b","i":0}"#));

    // The live subscription on b delivers the remote events too, per shard in emit order.
    let mut got = Vec::new();
    while got.len() < 501 {
        let e = tokio::time::timeout(LONG, live_b.next()).await.unwrap().unwrap().unwrap();
        got.push(e.raw_str().into_owned());
    }
    let from_a: Vec<&String> = got.iter().filter(|s| s.contains(r#""from":"a""#)).collect();
    assert_eq!(from_a.len(), 500);
    // Each side counts what it stored from the other, and nothing failed.
    let (sa, sb) = (net_a.stats(), net_b.stats());
    assert_eq!((sb.remote_events, sb.forward_failures), (500, 0), "{sb:?}");
    assert_eq!((sa.remote_events, sa.forward_failures), (1, 0), "{sa:?}");
    net_a.shutdown().await.unwrap();
    net_b.shutdown().await.unwrap();
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mesh_without_peers_is_a_local_bus() {
    let lonely = MeshBuilder::new("127.0.0.1:0", &[9; 32]).unwrap().build().await.unwrap();
    let net = Net::builder().shards(1).mesh(lonely).build().await.unwrap();
    net.emit_str(r#"{"solo":true}"#).unwrap();
    net.flush().await.unwrap();
    assert_eq!(poll_all(&net, 1).await, vec![r#"{"solo":true}"#.to_string()]);
    net.shutdown().await.unwrap();
}

/// A peer that vanishes without a word (its process is gone, nothing told
/// us) never acknowledges what we forwarded: shutdown says so with a typed
/// error after the grace period, and the stranded events are counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_never_acknowledges_fails_shutdown_and_is_counted() {
    let a = MeshBuilder::new("127.0.0.1:0", &[9; 32]).unwrap().dead_after(Duration::from_secs(60)).build().await.unwrap();
    // b lives on its own runtime, dropped below: its tasks stop at once and
    // no close message is sent, as when a process is killed.
    let b_runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let b = b_runtime
        .spawn(async { MeshBuilder::new("127.0.0.1:0", &[9; 32]).unwrap().build().await.unwrap() })
        .await
        .unwrap();
    let (a_id, b_id, b_addr, b_key) = (a.node_id(), b.node_id(), b.local_addr(), b.public_key());
    let b_accept = {
        let b = b.clone();
        b_runtime.spawn(async move { b.accept(a_id).await.map(|_| b.start()) })
    };
    a.connect(b_addr, b_key, b_id).await.unwrap();
    b_accept.await.unwrap().unwrap().unwrap();
    a.start().unwrap();
    drop(b);
    b_runtime.shutdown_background();

    let net = Net::builder().shards(1).mesh(a.clone()).build().await.unwrap();
    for i in 0..10 {
        net.emit_str(&format!(r#"{{"i":{i}}}"#)).unwrap();
    }
    net.flush().await.unwrap();
    let err = net.shutdown().await.unwrap_err();
    assert!(matches!(err, SdkError::Timeout(_)), "{err:?}");
    assert!(err.to_string().contains("unacknowledged"), "{err}");
    let stats = net.stats();
    assert!(stats.forward_failures >= 10, "{stats:?}");
    // Every event was still stored locally.
    assert_eq!((stats.events_ingested, stats.events_dropped), (10, 0), "{stats:?}");
    a.shutdown().await.unwrap();
}
