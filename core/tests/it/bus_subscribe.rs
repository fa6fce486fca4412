//! Subscriptions: live, from the beginning, from a cursor, typed, ending.

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use net_sdk::{Net, PollRequest, SubscribeOpts};
use serde::Deserialize;

#[tokio::test]
async fn live_subscription_sees_only_new_events() {
    let net = Net::builder().shards(4).build().await.unwrap();
    net.emit_raw(&b"old"[..]).unwrap();
    net.flush().await.unwrap();
    let mut stream = net.subscribe(SubscribeOpts::default());
    let producer = {
        let net = net.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                net.emit_raw(Bytes::from(format!("new{i}"))).unwrap();
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    };
    let mut got = Vec::new();
    while got.len() < 20 {
        let e = stream.next().await.unwrap().unwrap();
        got.push(e.raw_str().into_owned());
    }
    producer.await.unwrap();
    got.sort();
    let mut want: Vec<String> = (0..20).map(|i| format!("new{i}")).collect();
    want.sort();
    assert_eq!(got, want);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn from_beginning_and_cursor_then_end_at_shutdown() {
    let net = Net::builder().shards(2).build().await.unwrap();
    for i in 0..10 {
        net.emit_raw(Bytes::from(format!("{i}"))).unwrap();
    }
    net.flush().await.unwrap();
    let page = net.poll(PollRequest { limit: 4, cursor: None }).await.unwrap();
    let rest = net.subscribe(SubscribeOpts { cursor: Some(page.next_id), ..Default::default() });
    let all = net.subscribe(SubscribeOpts { from_beginning: true, batch: 3, ..Default::default() });
    net.shutdown().await.unwrap();
    // Both deliver what was stored, then end because the node shut down.
    let rest: Vec<_> = rest.map(|e| e.unwrap()).collect().await;
    let all: Vec<_> = all.map(|e| e.unwrap()).collect().await;
    assert_eq!(all.len(), 10);
    assert_eq!(rest.len(), 6);
    for e in &page.events {
        assert!(!rest.contains(e));
    }
}

/// `until_caught_up`: the stream flushes, delivers everything emitted
/// before it was first read (not yet flushed by the caller), then ends
/// while the node is still open.
#[tokio::test]
async fn until_caught_up_flushes_delivers_and_ends_without_shutdown() {
    // One shard: the page of 25 below is exactly the first 25 emitted.
    let net = Net::builder().shards(1).build().await.unwrap();
    for i in 0..25 {
        net.emit_raw(Bytes::from(format!("{i}"))).unwrap();
    }
    let drain = |cursor| SubscribeOpts { cursor, from_beginning: true, batch: 4, until_caught_up: true };
    let mut stream = net.subscribe(drain(None));
    let first: Vec<_> = stream.by_ref().map(|e| e.unwrap()).collect().await;
    assert_eq!(first.len(), 25);
    assert!(stream.next().await.is_none(), "an ended stream may be polled again");
    net.emit_raw(&b"late"[..]).unwrap();
    let page = net.poll(PollRequest { limit: 25, cursor: None }).await.unwrap();
    let rest: Vec<_> = net.subscribe(drain(Some(page.next_id))).map(|e| e.unwrap()).collect().await;
    assert_eq!(rest.iter().map(|e| e.raw_str().into_owned()).collect::<Vec<_>>(), ["late"]);
    net.shutdown().await.unwrap();
}

#[tokio::test]
async fn live_stream_ends_when_the_node_shuts_down() {
    let net = Net::builder().build().await.unwrap();
    let mut stream = net.subscribe(SubscribeOpts::default());
    let waiter = tokio::spawn(async move { stream.next().await.is_none() });
    tokio::time::sleep(Duration::from_millis(5)).await;
    net.shutdown().await.unwrap();
    assert!(waiter.await.unwrap());
}

#[tokio::test]
async fn bad_cursor_yields_one_error_then_ends() {
    let net = Net::builder().shards(2).build().await.unwrap();
    let mut s = net.subscribe(SubscribeOpts { cursor: Some("0:1".into()), ..Default::default() });
    assert_eq!(s.next().await.unwrap().unwrap_err().kind(), "invalid_cursor");
    assert!(s.next().await.is_none());
    net.shutdown().await.unwrap();
}

#[derive(Debug, Deserialize, PartialEq)]
struct TokenEvent {
    token: String,
    index: u32,
}

#[tokio::test]
async fn typed_stream_reports_bad_json_and_keeps_going() {
    let net = Net::builder().shards(1).build().await.unwrap();
    let mut stream = net.subscribe_typed::<TokenEvent>(SubscribeOpts::default());
    net.emit(&serde_json::json!({"token": "a", "index": 0})).unwrap();
    net.emit_str("not json").unwrap();
    net.emit(&serde_json::json!({"token": "b", "index": 1})).unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap(), TokenEvent { token: "a".into(), index: 0 });
    assert_eq!(stream.next().await.unwrap().unwrap_err().kind(), "deserialization");
    assert_eq!(stream.next().await.unwrap().unwrap(), TokenEvent { token: "b".into(), index: 1 });
    net.shutdown().await.unwrap();
    assert!(stream.next().await.is_none());
}

#[test]
fn streams_are_send_and_unpin() {
    fn check<S: futures::Stream + Send + Unpin + 'static>(_: &S) {}
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let net = Net::builder().build().await.unwrap();
        check(&net.subscribe(SubscribeOpts::default()));
        check(&net.subscribe_typed::<TokenEvent>(SubscribeOpts::default()));
        net.shutdown().await.unwrap();
    });
}
