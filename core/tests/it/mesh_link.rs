//! `Net::builder().mesh(NetAdapterConfig::…)`: a node sets up its own
//! mesh link (initiator dials by address and key, responder waits for any
//! PSK holder or a pinned node), events cross it in order per shard and
//! exactly once, a shut-down emitter does not strand its last events, and
//! every bad link is a typed error.

use std::collections::HashMap;
use std::time::Duration;

use net_sdk::{Identity, Net, NetAdapterConfig, PollRequest, SdkError, TransportConfig};

const PSK: [u8; 32] = [0x42; 32];
const LONG: Duration = Duration::from_secs(30);

fn responder_identity() -> Identity {
    Identity::from_seed([0x11; 32])
}

/// A responder on a free port and an initiator dialling it, built at once.
async fn linked(shards: u16, pin: bool) -> (Net, Net) {
    // Reserve a port for the responder: the initiator must know it.
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bind = format!("127.0.0.1:{port}");
    let them = responder_identity();
    let me = Identity::from_seed([0x22; 32]);
    let mut responder = NetAdapterConfig::responder(bind.clone(), PSK).identity(them.clone()).handshake_timeout(LONG);
    let mut initiator =
        NetAdapterConfig::initiator("127.0.0.1:0", bind, PSK, them.mesh_public_key()).identity(me.clone());
    if pin {
        responder = responder.peer_node_id(me.node_id());
        initiator = initiator.peer_node_id(them.node_id());
    }
    let (r, i) = tokio::join!(
        Net::builder().shards(shards).mesh(responder).build(),
        Net::builder().shards(shards).mesh(initiator).build()
    );
    (r.unwrap(), i.unwrap())
}

async fn poll_until(net: &Net, want: usize) -> Vec<(u16, String)> {
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        let page = net.poll(PollRequest { limit: 1_000_000, ..Default::default() }).await.unwrap();
        if page.events.len() >= want {
            return page.events.iter().map(|e| (e.id.shard, e.raw_str().into_owned())).collect();
        }
        assert!(tokio::time::Instant::now() < deadline, "only {} of {want} events arrived", page.events.len());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Per shard, the `i` values in the order they are stored.
fn order_by_shard(events: &[(u16, String)], from: &str) -> HashMap<u16, Vec<u64>> {
    let mut out: HashMap<u16, Vec<u64>> = HashMap::new();
    for (shard, raw) in events {
        let v: serde_json::Value = serde_json::from_str(raw).unwrap();
        if v["from"] == from {
            out.entry(*shard).or_default().push(v["i"].as_u64().unwrap());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_the_link_both_ways_in_order_and_exactly_once() {
    for pin in [false, true] {
        let (responder, initiator) = linked(4, pin).await;
        const N: u64 = 20_000;
        for i in 0..N {
            initiator.emit_str(&format!(r#"{{"from":"i","i":{i}}}"#)).unwrap();
            if i % 10 == 0 {
                responder.emit_str(&format!(r#"{{"from":"r","i":{i}}}"#)).unwrap();
            }
        }
        let at_responder = poll_until(&responder, (N + N / 10) as usize).await;
        let at_initiator = poll_until(&initiator, (N + N / 10) as usize).await;
        for (events, from, count) in [(&at_responder, "i", N), (&at_initiator, "r", N / 10)] {
            let by_shard = order_by_shard(events, from);
            let total: usize = by_shard.values().map(Vec::len).sum();
            assert_eq!(total as u64, count, "{from}'s events arrived {total} times, want {count} (pin {pin})");
            for seq in by_shard.values() {
                assert!(seq.windows(2).all(|w| w[0] < w[1]), "a shard's events arrived out of order");
            }
        }
        initiator.shutdown().await.unwrap();
        responder.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emitter_that_shuts_down_at_once_still_delivers_everything() {
    let (responder, initiator) = linked(2, false).await;
    for i in 0..50_000 {
        initiator.emit_str(&format!(r#"{{"from":"i","i":{i}}}"#)).unwrap();
    }
    // No flush, no wait: shutdown drains and waits for the peer's acks.
    initiator.shutdown().await.unwrap();
    let got = poll_until(&responder, 50_000).await;
    assert_eq!(order_by_shard(&got, "i").values().map(Vec::len).sum::<usize>(), 50_000);
    responder.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_links_are_typed_errors() {
    let them = responder_identity();
    // Nobody listens: the initiator times out.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let cfg = NetAdapterConfig::initiator("127.0.0.1:0", silent.local_addr().unwrap(), PSK, them.mesh_public_key())
        .handshake_timeout(Duration::from_millis(300));
    assert!(matches!(Net::builder().mesh(cfg).build().await, Err(SdkError::Timeout(_))));
    // No initiator comes: the responder times out.
    let cfg = NetAdapterConfig::responder("127.0.0.1:0", PSK).handshake_timeout(Duration::from_millis(300));
    assert!(matches!(Net::builder().mesh(cfg).build().await, Err(SdkError::Timeout(_))));
    // A key that is not 32 bytes, an address that does not parse.
    let cfg = NetAdapterConfig::initiator("127.0.0.1:0", "127.0.0.1:9", PSK, [1u8; 5]);
    assert_eq!(Net::builder().mesh(cfg).build().await.unwrap_err().kind(), "invalid_length");
    let cfg = NetAdapterConfig::responder("not an address", PSK);
    assert!(Net::builder().mesh(cfg).build().await.is_err());
    let cfg = NetAdapterConfig::responder("127.0.0.1:0", [1u8; 3]);
    assert_eq!(Net::builder().mesh(cfg).build().await.unwrap_err().kind(), "invalid_length");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_psk_or_pinned_identity_is_refused() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bind = format!("127.0.0.1:{port}");
    let them = responder_identity();
    let responder = NetAdapterConfig::responder(bind.clone(), PSK).identity(them.clone()).handshake_timeout(LONG);
    let wrong_psk = NetAdapterConfig::initiator("127.0.0.1:0", bind.clone(), [0x43; 32], them.mesh_public_key());
    let wrong_node = NetAdapterConfig::initiator("127.0.0.1:0", bind.clone(), PSK, them.mesh_public_key())
        .peer_node_id(them.node_id() ^ 1);
    let right = NetAdapterConfig::initiator("127.0.0.1:0", bind, PSK, them.mesh_public_key());
    let responding = tokio::spawn(Net::builder().mesh(responder).build());
    assert_eq!(Net::builder().mesh(wrong_psk).build().await.unwrap_err().kind(), "wrong_psk");
    assert_eq!(Net::builder().mesh(wrong_node).build().await.unwrap_err().kind(), "identity_mismatch");
    // The responder is still waiting, and the right initiator gets through.
    let initiator = Net::builder().mesh(right).build().await.unwrap();
    let responder = responding.await.unwrap().unwrap();
    initiator.emit_str(r#"{"from":"i","i":0}"#).unwrap();
    assert_eq!(poll_until(&responder, 1).await.len(), 1);
    initiator.shutdown().await.unwrap();
    responder.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transport_named_in_json_builds_the_same_link() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let them = responder_identity();
    let psk = hex::encode(PSK);
    let responder = TransportConfig::from_json(&format!(
        r#"{{"type":"mesh","bind":"127.0.0.1:{port}","psk":"{psk}","identity_seed":"{}","handshake_timeout_ms":30000}}"#,
        hex::encode(them.to_bytes())
    ))
    .unwrap();
    let initiator = TransportConfig::from_json(&format!(
        r#"{{"type":"mesh","bind":"127.0.0.1:0","peer":"127.0.0.1:{port}","psk":"{psk}","peerPublicKey":"{}","peerNodeId":"{}"}}"#,
        hex::encode(them.mesh_public_key()),
        them.node_id()
    ))
    .unwrap();
    let (r, i) = tokio::join!(Net::builder().transport(responder).build(), Net::builder().transport(initiator).build());
    let (r, i) = (r.unwrap(), i.unwrap());
    i.emit_str(r#"{"from":"i","i":1}"#).unwrap();
    assert_eq!(poll_until(&r, 1).await, vec![(poll_until(&r, 1).await[0].0, r#"{"from":"i","i":1}"#.to_string())]);
    i.shutdown().await.unwrap();
    r.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_responder_refuses_any_other_node_at_once() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bind = format!("127.0.0.1:{port}");
    let them = responder_identity();
    let expected = Identity::from_seed([0x22; 32]);
    let responder = NetAdapterConfig::responder(bind.clone(), PSK)
        .identity(them.clone())
        .peer_node_id(expected.node_id())
        .handshake_timeout(LONG);
    let responding = tokio::spawn(Net::builder().mesh(responder).build());
    let stranger = NetAdapterConfig::initiator("127.0.0.1:0", bind.clone(), PSK, them.mesh_public_key()).handshake_timeout(LONG);
    assert_eq!(Net::builder().mesh(stranger).build().await.unwrap_err().kind(), "handshake_refused");
    let right = NetAdapterConfig::initiator("127.0.0.1:0", bind, PSK, them.mesh_public_key()).identity(expected);
    let initiator = Net::builder().mesh(right).build().await.unwrap();
    let responder = responding.await.unwrap().unwrap();
    initiator.shutdown().await.unwrap();
    responder.shutdown().await.unwrap();
}
