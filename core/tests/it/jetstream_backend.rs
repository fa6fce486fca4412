//! The NATS JetStream backend against a real `nats-server -js` (started by
//! the test on a free loopback port; see `common/servers.rs`).

use crate::common::servers;
use crate::common::backend_checks;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use net_sdk::{Backpressure, JetStreamAdapterConfig, Net, PollRequest, SubscribeOpts, TransportConfig};
use backend_checks::{emit_across_a_server_crash, n_of, poll_all};
use servers::{TempDir, TestServer};



/// The stream `name` as the server holds it.
async fn stream(url: &str, name: &str) -> async_nats::jetstream::stream::Stream {
    let client = async_nats::connect(url).await.unwrap();
    async_nats::jetstream::new(client).get_stream(name).await.unwrap()
}

/// Per shard, the payload numbers in stream order (each message once).
fn by_shard(events: &[net_sdk::Event]) -> BTreeMap<u16, Vec<u64>> {
    let mut m: BTreeMap<u16, Vec<u64>> = BTreeMap::new();
    for e in events {
        m.entry(e.id.shard).or_default().push(n_of(&e.raw));
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emit_and_poll_keep_order_per_shard_with_message_ids() {
    let server = TestServer::nats();
    let dir = TempDir::new("js-order");
    let nonce_path = dir.join("producer.nonce");
    let net = Net::builder()
        .shards(4)
        .jetstream(JetStreamAdapterConfig::new(server.url()).stream("ORDER").subject_prefix("order"))
        .producer_nonce_path(&nonce_path)
        .build()
        .await
        .unwrap();
    let mut receipts = Vec::new();
    for n in 0..3000u64 {
        receipts.push(net.emit(&serde_json::json!({ "n": n })).unwrap());
    }
    net.flush().await.unwrap();
    let events = poll_all(&net, 128).await;
    assert_eq!(events.len(), 3000);
    for (shard, ns) in by_shard(&events) {
        assert!(ns.windows(2).all(|w| w[0] < w[1]), "shard {shard} out of order");
        for n in ns {
            assert_eq!(receipts[n as usize].shard_id, shard);
        }
    }
    let nonce = std::fs::read_to_string(&nonce_path).unwrap().trim().to_string();
    let s = stream(&server.url(), "ORDER").await;
    let first = s.get_raw_message(1).await.unwrap();
    let id = first.headers.get(async_nats::header::NATS_MESSAGE_ID).unwrap_or_else(|| panic!("{:?}", first.headers)).as_str().to_string();
    let parts: Vec<&str> = id.split(':').collect();
    assert_eq!((parts.len(), parts[0]), (4, nonce.as_str()), "{id}");
    assert_eq!(first.subject.as_str(), format!("order.shard.{}", parts[1]));
    assert!(first.headers.get("Net-Ts").is_some());
    let st = net.stats();
    assert_eq!((st.events_dropped, st.backend_errors), (0, 0));
    net.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_resumes_where_it_stopped_and_the_transport_json_works() {
    let server = TestServer::nats();
    let json = format!(r#"{{"type":"jetstream","url":"{}","stream":"RESUME","subjectPrefix":"resume"}}"#, server.url());
    let net = Net::builder().shards(2).transport(TransportConfig::from_json(&json).unwrap()).build().await.unwrap();
    for n in 0..500u64 {
        net.emit(&serde_json::json!({ "n": n })).unwrap();
    }
    net.flush().await.unwrap();
    assert_eq!(poll_all(&net, 100).await.len(), 500);
    let cursor = net.poll(PollRequest { limit: 1000, cursor: None }).await.unwrap().next_id;
    for n in 500..800u64 {
        net.emit(&serde_json::json!({ "n": n })).unwrap();
    }
    net.flush().await.unwrap();
    let page = net.poll(PollRequest { limit: 1000, cursor: Some(cursor.clone()) }).await.unwrap();
    let mut got: Vec<u64> = page.events.iter().map(|e| n_of(&e.raw)).collect();
    got.sort_unstable();
    assert_eq!(got, (500..800).collect::<Vec<_>>());
    assert!(!page.has_more);
    let again = net.poll(PollRequest { limit: 1000, cursor: Some(cursor) }).await.unwrap();
    assert_eq!(again.events.len(), 300);
    let reader = Net::builder().shards(2).transport(TransportConfig::from_json(&json).unwrap()).build().await.unwrap();
    let resumed = reader.poll(PollRequest { limit: 1000, cursor: Some(page.next_id.clone()) }).await.unwrap();
    assert!(resumed.events.is_empty() && !resumed.has_more);
    net.shutdown().await.unwrap();
    reader.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_sees_local_and_other_processes_events_live() {
    let server = TestServer::nats();
    let config = || JetStreamAdapterConfig::new(server.url()).stream("LIVE").subject_prefix("live");
    let consumer = Net::builder().shards(2).jetstream(config()).build().await.unwrap();
    let producer = Net::builder().shards(2).jetstream(config()).build().await.unwrap();
    let mut stream = consumer.subscribe(SubscribeOpts::default());
    for n in 0..200u64 {
        consumer.emit(&serde_json::json!({ "n": n })).unwrap();
        producer.emit(&serde_json::json!({ "n": 1000 + n })).unwrap();
    }
    let mut got = Vec::new();
    while got.len() < 400 {
        got.push(n_of(&stream.next().await.unwrap().unwrap().raw));
    }
    got.sort_unstable();
    assert_eq!(got, (0..200).chain(1000..1200).collect::<Vec<_>>());
    producer.shutdown().await.unwrap();
    consumer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_and_restarted_server_loses_nothing_and_drops_duplicates() {
    let mut server = TestServer::nats();
    let net = Net::builder()
        .shards(2)
        .ring_capacity(1024)
        .backpressure(Backpressure::Block)
        .block_timeout(Duration::from_millis(100))
        .jetstream(
            JetStreamAdapterConfig::new(server.url())
                .stream("CRASH")
                .subject_prefix("crash")
                .request_timeout(Duration::from_millis(500)),
        )
        .build()
        .await
        .unwrap();
    const TOTAL: u64 = 20_000;
    emit_across_a_server_crash(&net, &mut server, TOTAL).await;
    // The server dropped every retried duplicate itself: each event once.
    // Not necessarily in order within a shard: publishes the client still
    // held for the dead connection can reach the restarted server before
    // the batch's retry (the known limit the README states).
    let events = poll_all(&net, 1000).await;
    let mut all: Vec<u64> = by_shard(&events).into_values().flatten().collect();
    all.sort_unstable();
    assert_eq!(all, (0..TOTAL).collect::<Vec<_>>(), "an event lost or stored twice");
    net.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_producer_is_deduplicated_by_the_server() {
    let server = TestServer::nats();
    let dir = TempDir::new("js-restart");
    let nonce = dir.join("producer.nonce");
    let config = || JetStreamAdapterConfig::new(server.url()).stream("RESTART").subject_prefix("restart").producer_nonce_path(&nonce);
    let run = |to: u64| {
        let config = config();
        async move {
            let net = Net::builder().shards(1).jetstream(config).build().await.unwrap();
            for n in 0..to {
                net.emit(&serde_json::json!({ "n": n })).unwrap();
                net.flush().await.unwrap();
            }
            net.shutdown().await.unwrap();
        }
    };
    run(100).await;
    run(150).await;
    let mut s = stream(&server.url(), "RESTART").await;
    assert_eq!(s.info().await.unwrap().state.messages, 150);
    let reader = Net::builder().shards(1).jetstream(config()).build().await.unwrap();
    let ns: Vec<u64> = poll_all(&reader, 64).await.iter().map(|e| n_of(&e.raw)).collect();
    assert_eq!(ns, (0..150).collect::<Vec<_>>());
    reader.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_nonce_file_is_a_typed_error() {
    let server = TestServer::nats();
    let dir = TempDir::new("js-corrupt");
    let path = dir.join("producer.nonce");
    std::fs::write(&path, "zz").unwrap();
    let e = Net::builder().jetstream(JetStreamAdapterConfig::new(server.url())).producer_nonce_path(&path).build().await.unwrap_err();
    assert_eq!(e.kind(), "corrupt_nonce");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "zz");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_urls_and_refused_credentials_name_the_url_without_the_password() {
    let build = |url: String| async move {
        Net::builder().jetstream(JetStreamAdapterConfig::new(url).connect_timeout(Duration::from_secs(2))).build().await
    };
    let e = build("nats://hunter2@[::bad".into()).await.unwrap_err();
    assert_eq!(e.kind(), "invalid_config", "{e}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let port = TestServer::nats().port();
    let e = build(format!("nats://u:hunter2@127.0.0.1:{port}")).await.unwrap_err();
    assert!(matches!(e.kind(), "backend" | "timeout"), "{e}");
    assert!(e.to_string().contains(&format!("nats://u:***@127.0.0.1:{port}")) && !e.to_string().contains("hunter2"), "{e}");

    let server = TestServer::nats_with_user("net", "s3cret-pw");
    let e = build(format!("nats://net:hunter2@127.0.0.1:{}", server.port())).await.unwrap_err();
    assert_eq!(e.kind(), "auth_failed", "{e}");
    assert!(e.to_string().contains("nats://net:***@127.0.0.1") && !e.to_string().contains("hunter2"), "{e}");
    let e = build(server.url()).await.unwrap_err();
    assert_eq!(e.kind(), "auth_failed", "{e}");
    let net = build(server.url_with_auth()).await.unwrap();
    net.emit_str("{}").unwrap();
    net.flush().await.unwrap();
    net.shutdown().await.unwrap();
}
