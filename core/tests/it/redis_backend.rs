//! The Redis Streams backend against a real `redis-server` (started by
//! the test on a free loopback port; see `common/servers.rs`).

use crate::common::servers;
use crate::common::backend_checks;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures::StreamExt;
use net_sdk::{Backpressure, Net, PollRequest, RedisAdapterConfig, RedisStreamDedup, SubscribeOpts, TransportConfig};
use backend_checks::{emit_across_a_server_crash, n_of, poll_all};
use servers::{TempDir, TestServer};

/// Every entry of `key` as (stream id, field map), read with plain XRANGE.
async fn entries(url: &str, key: &str) -> Vec<(String, HashMap<String, Vec<u8>>)> {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let reply: redis::streams::StreamRangeReply =
        redis::cmd("XRANGE").arg(key).arg("-").arg("+").query_async(&mut conn).await.unwrap();
    reply
        .ids
        .into_iter()
        .map(|e| {
            let fields = e
                .map
                .iter()
                .map(|(k, v)| (k.clone(), redis::from_redis_value::<Vec<u8>>(v).unwrap()))
                .collect();
            (e.id, fields)
        })
        .collect()
}



#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emit_and_poll_keep_order_per_shard_and_write_dedup_ids() {
    let server = TestServer::redis();
    let dir = TempDir::new("redis-order");
    let nonce_path = dir.join("producer.nonce");
    let net = Net::builder()
        .shards(4)
        .redis(RedisAdapterConfig::new(server.url()).prefix("order"))
        .producer_nonce_path(&nonce_path)
        .build()
        .await
        .unwrap();
    let mut receipts = Vec::new();
    for n in 0..3000u64 {
        receipts.push(net.emit(&serde_json::json!({ "n": n, "pad": "x".repeat((n % 50) as usize) })).unwrap());
    }
    net.flush().await.unwrap();
    let events = poll_all(&net, 128).await;
    assert_eq!(events.len(), 3000);
    let mut last: BTreeMap<u16, (u64, u64)> = BTreeMap::new();
    let mut shard_of: HashMap<u64, u16> = HashMap::new();
    for e in &events {
        let n = n_of(&e.raw);
        if let Some(&(seq, prev)) = last.get(&e.id.shard) {
            assert!(e.id.sequence > seq && n > prev, "shard {} out of order at n={n}", e.id.shard);
        }
        last.insert(e.id.shard, (e.id.sequence, n));
        shard_of.insert(n, e.id.shard);
        assert!(e.insertion_ts > 0);
    }
    for (n, r) in receipts.iter().enumerate() {
        assert_eq!(shard_of[&(n as u64)], r.shard_id, "event {n} stored in its receipt's shard");
    }
    // The entries carry seq, ts, data and a dedup id made of the nonce file's nonce.
    let nonce = std::fs::read_to_string(&nonce_path).unwrap().trim().to_string();
    let stored = entries(&server.url(), "order:shard:0").await;
    assert!(!stored.is_empty());
    let mut seen = RedisStreamDedup::with_capacity(10_000);
    for (_, f) in &stored {
        let id = String::from_utf8(f["dedup_id"].clone()).unwrap();
        let parts: Vec<&str> = id.split(':').collect();
        assert_eq!((parts.len(), parts[0], parts[1]), (4, nonce.as_str(), "0"), "{id}");
        let start: u64 = parts[2].parse().unwrap();
        let i: u64 = parts[3].parse().unwrap();
        let seq: u64 = std::str::from_utf8(&f["seq"]).unwrap().parse().unwrap();
        assert_eq!(start + i, seq, "{id}");
        assert!(!seen.is_duplicate(&id));
    }
    let s = net.stats();
    assert_eq!((s.events_ingested, s.events_dropped, s.backend_errors), (3000, 0, 0));
    assert!(s.since_last_success.is_some());
    net.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_resumes_where_it_stopped_and_the_transport_json_works() {
    let server = TestServer::redis();
    let json = format!(r#"{{"type":"redis","url":"{}","prefix":"resume","maxlen":100000}}"#, server.url());
    let net = Net::builder().shards(2).transport(TransportConfig::from_json(&json).unwrap()).build().await.unwrap();
    for n in 0..500u64 {
        net.emit(&serde_json::json!({ "n": n })).unwrap();
    }
    net.flush().await.unwrap();
    let first = poll_all(&net, 100).await;
    assert_eq!(first.len(), 500);
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
    // The same cursor again reads the same events: a cursor is a position, not a consumer.
    let again = net.poll(PollRequest { limit: 1000, cursor: Some(cursor) }).await.unwrap();
    assert_eq!(again.events.len(), 300);
    // A second node on the same streams (a restarted reader) resumes from that cursor too.
    let reader = Net::builder().shards(2).transport(TransportConfig::from_json(&json).unwrap()).build().await.unwrap();
    let resumed = reader.poll(PollRequest { limit: 1000, cursor: Some(page.next_id.clone()) }).await.unwrap();
    assert!(resumed.events.is_empty() && !resumed.has_more);
    net.shutdown().await.unwrap();
    reader.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_sees_local_and_other_processes_events_live() {
    let server = TestServer::redis();
    let config = || RedisAdapterConfig::new(server.url()).prefix("live");
    let consumer = Net::builder().shards(2).redis(config()).build().await.unwrap();
    let producer = Net::builder().shards(2).redis(config()).build().await.unwrap();
    let mut stream = consumer.subscribe(SubscribeOpts::default());
    // Local events wake it through the append signal, another node's through XREAD BLOCK.
    for n in 0..200u64 {
        consumer.emit(&serde_json::json!({ "n": n })).unwrap();
        producer.emit(&serde_json::json!({ "n": 1000 + n })).unwrap();
    }
    let mut local = Vec::new();
    let mut remote = Vec::new();
    while local.len() + remote.len() < 400 {
        let e = stream.next().await.unwrap().unwrap();
        let n = n_of(&e.raw);
        if n >= 1000 { remote.push(n) } else { local.push(n) }
    }
    local.sort_unstable();
    remote.sort_unstable();
    assert_eq!(local, (0..200).collect::<Vec<_>>());
    assert_eq!(remote, (1000..1200).collect::<Vec<_>>());
    producer.shutdown().await.unwrap();
    consumer.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_and_restarted_server_loses_nothing_acknowledged() {
    let mut server = TestServer::redis();
    let net = Net::builder()
        .shards(2)
        .ring_capacity(1024)
        .backpressure(Backpressure::Block)
        .block_timeout(Duration::from_millis(100))
        .redis(RedisAdapterConfig::new(server.url()).prefix("crash").response_timeout(Duration::from_millis(500)))
        .build()
        .await
        .unwrap();
    const TOTAL: u64 = 20_000;
    emit_across_a_server_crash(&net, &mut server, TOTAL).await;
    assert!(net.health().healthy);
    net.shutdown().await.unwrap();

    // Every acknowledged event is stored, in order per shard once duplicates
    // (a retried EXEC that had been applied) are filtered by dedup id.
    let mut dedup = RedisStreamDedup::with_capacity(100_000);
    let mut all = Vec::new();
    for shard in 0..2 {
        let mut last = None;
        for (_, f) in entries(&server.url(), &format!("crash:shard:{shard}")).await {
            if dedup.is_duplicate(std::str::from_utf8(&f["dedup_id"]).unwrap()) {
                continue;
            }
            let n = n_of(&f["data"]);
            assert!(last.is_none_or(|l| n > l), "shard {shard}: {n} after {last:?}");
            last = Some(n);
            all.push(n);
        }
    }
    all.sort_unstable();
    assert_eq!(all, (0..TOTAL).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_producer_keeps_its_dedup_ids() {
    let server = TestServer::redis();
    let dir = TempDir::new("redis-restart");
    let nonce = dir.join("producer.nonce");
    let config = || RedisAdapterConfig::new(server.url()).prefix("restart").producer_nonce_path(&nonce);
    // One event per batch (flush after each), so each dedup id is {nonce}:0:{seq}:0.
    let run = |from: u64, to: u64| {
        let config = config();
        async move {
            let net = Net::builder().shards(1).redis(config).build().await.unwrap();
            for n in from..to {
                net.emit(&serde_json::json!({ "n": n })).unwrap();
                net.flush().await.unwrap();
            }
            net.shutdown().await.unwrap();
        }
    };
    run(0, 100).await;
    // The restarted producer replays its input from the start: the first
    // 100 are the same events under the same ids.
    run(0, 150).await;
    let stored = entries(&server.url(), "restart:shard:0").await;
    assert_eq!(stored.len(), 250);
    let mut dedup = RedisStreamDedup::with_capacity(1000);
    let kept: Vec<u64> = stored
        .iter()
        .filter(|(_, f)| !dedup.is_duplicate(std::str::from_utf8(&f["dedup_id"]).unwrap()))
        .map(|(_, f)| n_of(&f["data"]))
        .collect();
    assert_eq!(kept, (0..150).collect::<Vec<_>>());
    assert_eq!(dedup.len(), 150);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_nonce_file_is_a_typed_error() {
    let server = TestServer::redis();
    let dir = TempDir::new("redis-corrupt");
    let path = dir.join("producer.nonce");
    std::fs::write(&path, "not a nonce\n").unwrap();
    let e = Net::builder()
        .redis(RedisAdapterConfig::new(server.url()))
        .producer_nonce_path(&path)
        .build()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "corrupt_nonce");
    assert!(e.to_string().contains("producer.nonce"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "not a nonce\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_urls_and_refused_credentials_name_the_url_without_the_password() {
    let build = |url: String| async move { Net::builder().redis(RedisAdapterConfig::new(url).connect_timeout(Duration::from_secs(2))).build().await };
    let e = build("redis//hunter2@nowhere".into()).await.unwrap_err();
    assert_eq!(e.kind(), "invalid_config", "{e}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    // Nobody listens on the port of a server that was stopped.
    let port = TestServer::redis().port();
    let e = build(format!("redis://:hunter2@127.0.0.1:{port}")).await.unwrap_err();
    assert!(matches!(e.kind(), "backend" | "timeout"), "{e}");
    assert!(e.to_string().contains(&format!("redis://:***@127.0.0.1:{port}")) && !e.to_string().contains("hunter2"), "{e}");

    let server = TestServer::redis_with_password("s3cret-pw");
    let wrong = format!("redis://:hunter2@127.0.0.1:{}", server.port());
    let e = build(wrong).await.unwrap_err();
    assert_eq!(e.kind(), "auth_failed", "{e}");
    assert!(e.to_string().contains(":***@127.0.0.1") && !e.to_string().contains("hunter2"), "{e}");
    let e = build(server.url()).await.unwrap_err();
    assert_eq!(e.kind(), "auth_failed", "{e}");
    let net = build(server.url_with_auth()).await.unwrap();
    net.emit_str("{}").unwrap();
    net.flush().await.unwrap();
    net.shutdown().await.unwrap();
}
