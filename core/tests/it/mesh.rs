//! The mesh on loopback: handshakes, streams, impostors, tampering,
//! loss, back-pressure, death and reconnect. No timing assertions: every
//! wait has a generous deadline and only bounds a hang.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use net_sdk::mesh::{LossyLink, MeshBuilder, PeerState, Reliability, StreamConfig, MAX_MESSAGE_SIZE};
use net_sdk::{Identity, Mesh, SdkError};
use tokio::net::UdpSocket;

const PSK: [u8; 32] = [0x42; 32];
const LONG: Duration = Duration::from_secs(30);

fn builder() -> MeshBuilder {
    MeshBuilder::new("127.0.0.1:0", &PSK).unwrap().handshake_timeout(Duration::from_secs(10))
}

async fn node() -> Mesh {
    builder().build().await.unwrap()
}

/// Handshake `a` (dialing) with `b` (accepting), concurrently, and start both.
async fn link(a: &Mesh, b: &Mesh) {
    let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
    ra.unwrap();
    rb.unwrap();
    a.start().unwrap();
    b.start().unwrap();
}

fn msgs(n: usize, size: usize) -> Vec<Bytes> {
    (0..n)
        .map(|i| {
            let mut v = vec![(i % 251) as u8; size.max(8)];
            v[..8].copy_from_slice(&(i as u64).to_le_bytes());
            Bytes::from(v)
        })
        .collect()
}

async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + LONG;
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Send `all` in batches of `batch` (blocking on back-pressure) while the
/// other side collects; returns what arrived.
async fn transfer(a: &Mesh, b: &Mesh, stream_id: u64, cfg: StreamConfig, all: &[Bytes], batch: usize) -> Vec<Bytes> {
    let rx = b.open_stream(a.node_id(), stream_id, cfg).unwrap();
    let tx = a.open_stream(b.node_id(), stream_id, cfg).unwrap();
    let n = all.len();
    let reader = {
        let b = b.clone();
        tokio::spawn(async move {
            let mut got = Vec::with_capacity(n);
            while got.len() < n {
                got.push(tokio::time::timeout(LONG, b.recv(&rx)).await.expect("receive timed out").unwrap());
            }
            got
        })
    };
    for chunk in all.chunks(batch) {
        a.send_blocking(&tx, chunk).await.unwrap();
    }
    reader.await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_handshake_and_reliable_stream() {
    let (a, b) = (node().await, node().await);
    assert_ne!(a.node_id(), b.node_id());
    link(&a, &b).await;
    assert_eq!(a.peer_state(b.node_id()), Some(PeerState::Alive));
    assert_eq!(b.peers()[0].entity_id, *a.entity_id(), "b knows a by its authenticated identity");
    let all = msgs(3000, 64);
    let got = transfer(&a, &b, 0x42, StreamConfig::new().with_window_bytes(256), &all, 50).await;
    assert_eq!(got, all, "everything, once, in order");
    let stats = a.stream_stats(b.node_id(), 0x42).unwrap();
    assert_eq!((stats.tx_seq, stats.messages_sent), (3000, 3000));
    assert_eq!(stats.window, 256);
    eventually("all acknowledged", || a.stream_stats(b.node_id(), 0x42).unwrap().in_flight == 0).await;
    assert_eq!(b.stream_stats(a.node_id(), 0x42).unwrap().rx_seq, 3000);
    assert!(a.stream_stats(b.node_id(), 0x43).is_none());
    let idle = b.open_stream(a.node_id(), 0x42, StreamConfig::new()).unwrap();
    assert_eq!(b.recv_timeout(&idle, Duration::from_millis(20)).await.unwrap_err().kind(), "timeout");
    let s = a.stats();
    assert_eq!((s.sessions, s.pending_handshakes, s.tampered, s.replayed), (1, 0, 0, 0));
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_may_start_after_connect() {
    let (a, b) = (node().await, node().await);
    let dial = {
        let (a, addr, key, id) = (a.clone(), b.local_addr(), b.public_key(), b.node_id());
        tokio::spawn(async move { a.connect(addr, &key, id).await })
    };
    // b is not accepting yet: a's hellos go unanswered and are retried.
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(b.stats().sessions, 0);
    b.accept(a.node_id()).await.unwrap();
    dial.await.unwrap().unwrap();
    assert_eq!(b.peer_state(a.node_id()), Some(PeerState::Alive));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_each_pair_talks() {
    let nodes = [node().await, node().await, node().await];
    for i in 0..3 {
        for j in i + 1..3 {
            link(&nodes[i], &nodes[j]).await;
        }
    }
    for (i, from) in nodes.iter().enumerate() {
        for (j, to) in nodes.iter().enumerate() {
            if i == j {
                continue;
            }
            let all: Vec<Bytes> = (0..100).map(|k| Bytes::from(format!("{i}->{j} #{k}"))).collect();
            let got = transfer(from, to, 7, StreamConfig::new(), &all, 10).await;
            assert_eq!(got, all);
        }
        assert_eq!(from.peers().len(), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_psk_fails_typed_and_leaves_no_session() {
    let a = node().await;
    let b = MeshBuilder::new("127.0.0.1:0", &[0x01; 32]).unwrap().build().await.unwrap();
    let (ra, rb) = tokio::join!(
        a.accept_with_timeout(b.node_id(), Duration::from_secs(2)),
        b.connect(a.local_addr(), a.public_key(), a.node_id())
    );
    assert_eq!(rb.unwrap_err().kind(), "wrong_psk");
    assert_eq!(ra.unwrap_err().kind(), "timeout");
    // b's reject (or the timeout sweep) removes a's pending half.
    a.start().unwrap();
    eventually("no pending half", || a.stats().pending_handshakes == 0).await;
    assert_eq!(a.stats().sessions, 0);
    assert!(a.peer_state(b.node_id()).is_none() && b.peer_state(a.node_id()).is_none());
    assert!(a.stats().handshakes_failed >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_static_key_and_wrong_node_id_fail_typed() {
    let (a, b, c) = (node().await, node().await, node().await);
    let accepting = {
        let a = a.clone();
        let id = b.node_id();
        tokio::spawn(async move { a.accept_with_timeout(id, Duration::from_secs(3)).await })
    };
    // The key of another node: a cannot open the hello.
    let e = b.connect(a.local_addr(), &c.public_key(), a.node_id()).await.unwrap_err();
    assert_eq!(e.kind(), "unknown_static_key");
    // The right key but another node id: a's authenticated identity does not match.
    let e = b.connect(a.local_addr(), &a.public_key(), c.node_id()).await.unwrap_err();
    assert_eq!(e.kind(), "identity_mismatch");
    assert!(matches!(e, SdkError::Handshake(net_sdk::HandshakeError::IdentityMismatch)));
    // A key of the wrong length never reaches the network.
    assert_eq!(b.connect(a.local_addr(), [1u8, 2, 3], a.node_id()).await.unwrap_err().kind(), "invalid_length");
    assert_eq!(accepting.await.unwrap().unwrap_err().kind(), "timeout");
    a.start().unwrap();
    eventually("no pending half", || a.stats().pending_handshakes == 0).await;
    assert!(a.peers().is_empty() && b.peers().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_impostor_gets_no_session() {
    // a expects `victim`; mallory has its own identity and cannot present
    // the victim's (the handshake makes it sign its static key), so a
    // never answers it and mallory's dial times out.
    let a = node().await;
    let victim = Identity::generate();
    let mallory = builder().handshake_timeout(Duration::from_millis(800)).build().await.unwrap();
    let (ra, rm) = tokio::join!(
        a.accept_with_timeout(victim.node_id(), Duration::from_millis(1500)),
        mallory.connect(a.local_addr(), a.public_key(), a.node_id())
    );
    assert_eq!(rm.unwrap_err().kind(), "timeout");
    assert_eq!(ra.unwrap_err().kind(), "timeout");
    assert!(a.peers().is_empty());
    assert_eq!(a.stats().sessions + a.stats().pending_handshakes, 0);
    // The real owner of the identity gets in.
    let real = builder().identity(victim).build().await.unwrap();
    link(&real, &a).await;
    assert_eq!(a.peers()[0].node_id, real.node_id());
}

/// A UDP relay between two nodes that can replay or corrupt what passes.
struct Relay {
    addr: SocketAddr,
    log: Arc<parking_lot::Mutex<Vec<Vec<u8>>>>,
    sock: Arc<UdpSocket>,
    target: SocketAddr,
}

impl Relay {
    async fn start(target: SocketAddr) -> Relay {
        let sock = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let log = Arc::new(parking_lot::Mutex::new(Vec::new()));
        let (s, l) = (sock.clone(), log.clone());
        tokio::spawn(async move {
            let mut client: Option<SocketAddr> = None;
            let mut buf = vec![0u8; 65536];
            while let Ok((n, from)) = s.recv_from(&mut buf).await {
                let to = if from == target {
                    match client {
                        Some(c) => c,
                        None => continue,
                    }
                } else {
                    client = Some(from);
                    l.lock().push(buf[..n].to_vec());
                    target
                };
                let _ = s.send_to(&buf[..n], to).await;
            }
        });
        Relay { addr: sock.local_addr().unwrap(), log, sock, target }
    }

    async fn inject(&self, datagram: &[u8]) {
        self.sock.send_to(datagram, self.target).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_and_replayed_datagrams_are_dropped_and_counted() {
    let (a, b) = (node().await, node().await);
    let relay = Relay::start(a.local_addr()).await;
    let (ra, rb) = tokio::join!(b.connect(relay.addr, a.public_key(), a.node_id()), a.accept(b.node_id()));
    ra.unwrap();
    rb.unwrap();
    a.start().unwrap();
    b.start().unwrap();
    let all = msgs(200, 100);
    let got = transfer(&b, &a, 1, StreamConfig::new(), &all, 20).await;
    assert_eq!(got, all);
    let data: Vec<Vec<u8>> = relay.log.lock().iter().filter(|d| d[1] == 4 && d.len() > 200).cloned().collect();
    assert!(!data.is_empty());
    let before = a.stats();
    for (i, d) in data.iter().enumerate() {
        relay.inject(d).await; // replay: an authentic packet seen before
        // Forgeries with fresh counters (the header is authenticated too)
        // and a flipped ciphertext bit.
        let mut t = d.clone();
        t[8..16].copy_from_slice(&(1_000_000 + i as u64).to_le_bytes());
        let last = t.len() - 20;
        t[last] ^= 0x80;
        relay.inject(&t).await;
    }
    eventually("refusals counted", || {
        let s = a.stats();
        s.replayed >= before.replayed + data.len() as u64 && s.tampered >= before.tampered + data.len() as u64
    })
    .await;
    // Nothing extra was delivered, and the session still works.
    let rx = a.open_stream(b.node_id(), 1, StreamConfig::new()).unwrap();
    assert!(a.try_recv(&rx).unwrap().is_none(), "no replayed message surfaced");
    let more = msgs(10, 30);
    assert_eq!(transfer(&b, &a, 1, StreamConfig::new(), &more, 10).await, more);
    // A replayed handshake hello yields no second session either.
    let hello = relay.log.lock().iter().find(|d| d[1] == 1).cloned().unwrap();
    relay.inject(&hello).await;
    relay.inject(&[1, 4, 0]).await;
    eventually("junk counted", || a.stats().malformed >= 1).await;
    assert_eq!(a.stats().sessions, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliable_stream_survives_a_lossy_link() {
    let lossy = |seed| {
        builder()
            .lossy_link(LossyLink::new(seed).drop_percent(10).duplicate_percent(5).reorder_percent(10))
            .retransmit_timeout(Duration::from_millis(5), Duration::from_millis(200))
    };
    let a = lossy(1).build().await.unwrap();
    let b = lossy(2).build().await.unwrap();
    link(&a, &b).await;
    let mut all = msgs(2000, 48);
    all.push(Bytes::from(vec![0xAB; 10_000])); // fragmented, fragments lost too
    let got = transfer(&a, &b, 9, StreamConfig::new().with_window_bytes(64), &all, 25).await;
    assert_eq!(got.len(), all.len());
    assert!(got == all, "exactly once, in order");
    let (dropped, duplicated, reordered) = a.link_counts().unwrap();
    assert!(dropped > 0 && duplicated > 0 && reordered > 0);
    assert!(a.stream_stats(b.node_id(), 9).unwrap().retransmits > 0);
    assert!(b.stats().replayed > 0, "duplicates were refused by the replay window");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_window_reports_backpressure_instead_of_buffering() {
    let (a, b) = (node().await, node().await);
    link(&a, &b).await;
    // b reads nothing and holds one message: at most 1 + window are accepted.
    let rx = b.open_stream(a.node_id(), 5, StreamConfig::new().with_receive_capacity(1)).unwrap();
    let tx = a.open_stream(b.node_id(), 5, StreamConfig::new().with_window_bytes(4)).unwrap();
    let mut accepted = 0u32;
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        match a.send_on_stream(&tx, &[Bytes::from(accepted.to_le_bytes().to_vec())]).await {
            Ok(()) => accepted += 1,
            Err(SdkError::Backpressure) => {
                // Refused at once; wait for acks in flight, then try again.
                // Full for good only once 1 (inbox) + 4 (window) are taken;
                // before that an ack may still be on its way.
                if accepted == 5 && a.stream_stats(b.node_id(), 5).unwrap().in_flight == 4 {
                    break;
                }
                assert!(tokio::time::Instant::now() < deadline);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err(e) => panic!("{e}"),
        }
        assert!(accepted <= 5, "the transport accepted more than window + inbox");
    }
    let stats = a.stream_stats(b.node_id(), 5).unwrap();
    assert!(stats.backpressure_events >= 1);
    assert_eq!((stats.in_flight, stats.window), (4, 4));
    // Still full: a bounded retry gives up with Backpressure.
    let e = a.send_with_retry(&tx, &[Bytes::from_static(b"late")], 2).await.unwrap_err();
    assert_eq!(e.kind(), "backpressure");
    // A batch that can never fit is an argument error, not back-pressure.
    assert_eq!(a.send_on_stream(&tx, &msgs(5, 8)).await.unwrap_err().kind(), "invalid_argument");
    // Reading drains the inbox, which releases the window.
    let sender = {
        let (a, tx) = (a.clone(), tx.clone());
        tokio::spawn(async move { a.send_blocking(&tx, &[Bytes::from_static(b"after")]).await })
    };
    let mut got = Vec::new();
    for _ in 0..=accepted {
        got.push(tokio::time::timeout(LONG, b.recv(&rx)).await.unwrap().unwrap());
    }
    sender.await.unwrap().unwrap();
    let expect: Vec<Bytes> = (0..accepted).map(|i| Bytes::from(i.to_le_bytes().to_vec())).collect();
    assert_eq!(&got[..accepted as usize], &expect[..]);
    assert_eq!(got[accepted as usize], Bytes::from_static(b"after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_death_and_reconnect() {
    let fast = || {
        builder()
            .heartbeat_interval(Duration::from_millis(50))
            .suspect_after(Duration::from_millis(300))
            .dead_after(Duration::from_millis(900))
    };
    let a = fast().build().await.unwrap();
    let id_b = Identity::generate();
    let b = fast().identity(id_b.clone()).build().await.unwrap();
    link(&a, &b).await;
    let tx = a.open_stream(b.node_id(), 1, StreamConfig::new()).unwrap();
    a.send_on_stream(&tx, &[Bytes::from_static(b"hi")]).await.unwrap();

    // Silent death: b vanishes without a goodbye.
    let b_node = b.node_id();
    drop(b);
    eventually("suspect", || a.peer_state(b_node) != Some(PeerState::Alive)).await;
    eventually("dead", || a.peer_state(b_node) == Some(PeerState::Dead)).await;
    assert_eq!(a.send_on_stream(&tx, &[Bytes::from_static(b"x")]).await.unwrap_err().kind(), "not_connected");
    assert_eq!(a.open_stream(b_node, 1, StreamConfig::new()).unwrap_err().kind(), "not_connected");

    // b comes back (same identity, new port) and dials a: a answers a known peer.
    let b2 = fast().identity(id_b).build().await.unwrap();
    b2.connect(a.local_addr(), &a.public_key(), a.node_id()).await.unwrap();
    b2.start().unwrap();
    eventually("alive again", || a.peer_state(b_node) == Some(PeerState::Alive)).await;
    assert!(!tx.is_open(), "old handles stay closed");
    let all = msgs(50, 20);
    assert_eq!(transfer(&a, &b2, 1, StreamConfig::new(), &all, 10).await, all);

    // Orderly goodbye: a learns at once, not after the timeout.
    b2.shutdown().await.unwrap();
    eventually("closed", || a.peer_state(b_node) == Some(PeerState::Dead)).await;
    assert_eq!(b2.open_stream(a.node_id(), 1, StreamConfig::new()).unwrap_err().kind(), "closed");
    assert_eq!(b2.connect(a.local_addr(), &a.public_key(), a.node_id()).await.unwrap_err().kind(), "closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fire_and_forget_large_messages_rekeying_and_message_stream() {
    let a = builder().rekey_after(40).build().await.unwrap();
    let b = builder().rekey_after(40).build().await.unwrap();
    link(&a, &b).await;
    let ff = StreamConfig::new().with_reliability(Reliability::FireAndForget);
    let all = msgs(20, 200);
    let got = transfer(&a, &b, 2, ff, &all, 5).await;
    assert_eq!(got, all, "an idle loopback loses nothing");
    assert_eq!(a.stream_stats(b.node_id(), 2).unwrap().in_flight, 0);
    // The largest message crosses fragmented; one byte more is refused.
    let big = vec![Bytes::from(vec![7u8; MAX_MESSAGE_SIZE])];
    assert_eq!(transfer(&a, &b, 3, StreamConfig::new(), &big, 1).await, big);
    let tx = a.open_stream(b.node_id(), 3, StreamConfig::new()).unwrap();
    let e = a.send_on_stream(&tx, &[Bytes::from(vec![0u8; MAX_MESSAGE_SIZE + 1])]).await.unwrap_err();
    assert_eq!(e.kind(), "message_too_large");
    // Reopening with another reliability is refused.
    assert_eq!(a.open_stream(b.node_id(), 3, ff).unwrap_err().kind(), "invalid_argument");
    // Many packets across key epochs (rekey every 40 packets), read as a Stream.
    let rx = b.open_stream(a.node_id(), 4, StreamConfig::new()).unwrap();
    let tx = a.open_stream(b.node_id(), 4, StreamConfig::new()).unwrap();
    let all = msgs(400, 16);
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (b, done) = (b.clone(), done.clone());
        tokio::spawn(async move {
            let got: Vec<Bytes> = b.messages(&rx).take(400).collect().await;
            done.store(true, Ordering::SeqCst);
            got
        })
    };
    for m in &all {
        a.send_blocking(&tx, std::slice::from_ref(m)).await.unwrap();
    }
    assert_eq!(tokio::time::timeout(LONG, reader).await.unwrap().unwrap(), all);
    assert!(done.load(Ordering::SeqCst));
    assert_eq!(b.stats().tampered, 0);
}

#[tokio::test]
async fn misuse_is_typed() {
    assert_eq!(MeshBuilder::new("not an address", &PSK).err().unwrap().kind(), "invalid_argument");
    assert_eq!(MeshBuilder::new("127.0.0.1:0", &[1; 5]).err().unwrap().kind(), "invalid_length");
    let bad = MeshBuilder::new("127.0.0.1:0", &PSK).unwrap().max_datagram(100).build().await;
    assert_eq!(bad.err().unwrap().kind(), "invalid_config");
    let a = node().await;
    assert_eq!(a.open_stream(12345, 1, StreamConfig::new()).unwrap_err().kind(), "not_connected");
    assert_eq!(a.connect(a.local_addr(), &a.public_key(), a.node_id()).await.unwrap_err().kind(), "invalid_argument");
    let id = Identity::from_seed([5; 32]);
    let pinned = builder().identity(id.clone()).build().await.unwrap();
    assert_eq!((pinned.node_id(), pinned.entity_id()), (id.node_id(), id.entity_id()));
    let again = builder().identity(id).build().await.unwrap();
    assert_eq!(pinned.public_key(), again.public_key(), "the static key follows the identity");
    a.shutdown().await.unwrap();
    a.shutdown().await.unwrap();
    assert_eq!(a.start().unwrap_err().kind(), "closed");
    assert_eq!(a.accept(1).await.unwrap_err().kind(), "closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_cross_between_offloading_and_plain_sockets() {
    // One side uses GSO/GRO (where the kernel has them), the other not:
    // the kernel segments GSO sends for the plain receiver, and the plain
    // side's datagrams reach the GRO socket unchanged. Full 1 KiB datagrams
    // (one GSO run per send) and a fragmented message both ways.
    // 1400-byte datagrams (loopback would get 16 KiB ones): one 1 KiB
    // message per datagram, so a burst is a run of equal datagrams.
    let on = builder().max_datagram(1400).segmentation_offload(true).build().await.unwrap();
    let off = builder().max_datagram(1400).segmentation_offload(false).build().await.unwrap();
    link(&on, &off).await;
    let mut all = msgs(3000, 1024);
    all.push(Bytes::from(vec![0x3C; 20_000]));
    let cfg = StreamConfig::new().with_window_bytes(512);
    assert!(transfer(&on, &off, 1, cfg, &all, 64).await == all, "offloading sender to plain receiver");
    assert!(transfer(&off, &on, 2, cfg, &all, 64).await == all, "plain sender to offloading receiver");
    // Both offloading: bursts arrive GRO-coalesced and are split again.
    let on2 = builder().max_datagram(1400).build().await.unwrap();
    link(&on2, &on).await;
    assert!(transfer(&on2, &on, 3, cfg, &all, 64).await == all, "offloading on both ends");
    for n in [&on, &off, &on2] {
        let s = n.stats();
        assert_eq!((s.tampered, s.malformed, s.replayed), (0, 0, 0), "every segment is one authentic datagram");
    }
    // `on` received two transfers of 3000 one-datagram messages and more.
    assert!(on.stats().datagrams_received >= 6000, "counted per datagram, not per coalesced buffer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_carry_the_acks_of_requests() {
    let (a, b) = (node().await, node().await);
    link(&a, &b).await;
    let cfg = StreamConfig::new().with_window_bytes(8);
    let (req_rx, resp_tx) = (b.open_stream(a.node_id(), 1, cfg).unwrap(), b.open_stream(a.node_id(), 2, cfg).unwrap());
    let (req_tx, resp_rx) = (a.open_stream(b.node_id(), 1, cfg).unwrap(), a.open_stream(b.node_id(), 2, cfg).unwrap());
    let echo = {
        let b = b.clone();
        tokio::spawn(async move {
            while let Ok(m) = b.recv(&req_rx).await {
                b.send_blocking(&resp_tx, &[m]).await.unwrap();
            }
        })
    };
    const ROUNDS: u64 = 300;
    let before = a.stats().datagrams_sent + b.stats().datagrams_sent;
    for i in 0..ROUNDS {
        let m = Bytes::from(i.to_le_bytes().to_vec());
        a.send_blocking(&req_tx, std::slice::from_ref(&m)).await.unwrap();
        assert_eq!(tokio::time::timeout(LONG, a.recv(&resp_rx)).await.unwrap().unwrap(), m);
    }
    let sent = a.stats().datagrams_sent + b.stats().datagrams_sent - before;
    // Two datagrams per round trip; a timer tick that falls between a
    // request and its reply may send an ack on its own, rarely.
    assert!((2 * ROUNDS..=2 * ROUNDS + ROUNDS / 4).contains(&sent), "{sent} datagrams for {ROUNDS} round trips");
    // The last reply's ack is sent by the timer, so nothing stays in flight.
    eventually("the last reply acknowledged", || b.stream_stats(a.node_id(), 2).unwrap().in_flight == 0).await;
    eventually("every request acknowledged", || a.stream_stats(b.node_id(), 1).unwrap().in_flight == 0).await;
    echo.abort();
}

/// Closing a stream while its acks are in flight used to panic the
/// receive task (`on_ack` removed more entries than `close` had left), and
/// from then on every send of the node failed with `NotConnected`. Streams
/// with windows up to 4096 are closed while a sender keeps them full and
/// their acks keep coming, over and over; the node must keep working and
/// catch no panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_streams_with_acks_in_flight_never_breaks_the_node() {
    let (a, b) = (node().await, node().await);
    link(&a, &b).await;
    let mut id = 0x1000;
    for window in [64u32, 1024, 4096] {
        for round in 0..60u64 {
            id += 1;
            let cfg = StreamConfig::new().with_window_bytes(window);
            let _rx = b.open_stream(a.node_id(), id, cfg).unwrap();
            let tx = a.open_stream(b.node_id(), id, cfg).unwrap();
            let sender = {
                let (a, tx) = (a.clone(), tx.clone());
                let batch = msgs(32, 32);
                tokio::spawn(async move {
                    loop {
                        match a.send_on_stream(&tx, &batch).await {
                            Ok(()) => {}
                            Err(SdkError::Backpressure) => tokio::task::yield_now().await,
                            Err(SdkError::NotConnected) => return,
                            Err(e) => panic!("send failed: {e}"),
                        }
                    }
                })
            };
            // Close at a different moment each round, acks in flight.
            tokio::time::sleep(Duration::from_micros(200 + 50 * (round % 8))).await;
            a.close_stream(&tx);
            sender.await.unwrap();
        }
    }
    // Let the last acks land on the closed streams.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(a.stats().receive_panics, 0, "{:?}", a.last_panic());
    assert_eq!(b.stats().receive_panics, 0, "{:?}", b.last_panic());
    let all = msgs(500, 64);
    let got = transfer(&a, &b, 0x42, StreamConfig::new().with_window_bytes(256), &all, 50).await;
    assert_eq!(got, all, "the node still sends and receives");
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

/// Shutting a node down ends its handshakes in progress at once, with
/// `Closed`, instead of leaving them to their (here, minute-long) timeouts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_pending_connect_and_accept() {
    let a = node().await;
    // Nobody answers here: the dial keeps retrying its hello.
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let dial = {
        let (a, to) = (a.clone(), silent.local_addr().unwrap());
        tokio::spawn(async move { a.connect_with_timeout(to, [1u8; 32], 77, Duration::from_secs(60)).await })
    };
    let wait = {
        let a = a.clone();
        tokio::spawn(async move { a.accept_with_timeout(88, Duration::from_secs(60)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    a.shutdown().await.unwrap();
    let dialed = tokio::time::timeout(LONG, dial).await.expect("the dial ended").unwrap();
    assert!(matches!(dialed, Err(SdkError::Closed)), "{dialed:?}");
    let accepted = tokio::time::timeout(LONG, wait).await.expect("the accept ended").unwrap();
    assert!(matches!(accepted, Err(SdkError::Closed)), "{accepted:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dial_by_key_and_accept_any_open_the_door_only_while_waiting() {
    let (a, b, c) = (node().await, node().await, node().await);
    // a dials b by key alone while b accepts whoever holds the PSK.
    let (dialled, accepted) = tokio::join!(a.dial(b.local_addr(), b.public_key()), b.accept_any_with_timeout(LONG));
    assert_eq!(dialled.unwrap(), b.node_id());
    assert_eq!(accepted.unwrap(), (a.node_id(), a.local_addr()));
    // The door is shut again: c, unknown to b, gets no answer.
    let late = c.dial_with_timeout(b.local_addr(), b.public_key(), Duration::from_millis(400)).await;
    assert!(matches!(late, Err(SdkError::Timeout(_))), "{late:?}");
    // Dialling one's own key, or a key of the wrong length, is refused at once.
    assert!(matches!(a.dial(b.local_addr(), a.public_key()).await, Err(SdkError::InvalidArgument(_))));
    assert_eq!(a.dial(b.local_addr(), [0u8; 31]).await.unwrap_err().kind(), "invalid_length");
    // A waiting accept_any ends with Closed when the node shuts down.
    let waiting = tokio::spawn({
        let c = c.clone();
        async move { c.accept_any_with_timeout(LONG).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.shutdown().await.unwrap();
    assert!(matches!(waiting.await.unwrap(), Err(SdkError::Closed)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_put_back_is_received_first_also_after_close() {
    let (a, b) = (node().await, node().await);
    link(&a, &b).await;
    let out = a.open_stream(b.node_id(), 9, StreamConfig::new()).unwrap();
    let inbox = b.open_stream(a.node_id(), 9, StreamConfig::new()).unwrap();
    a.send_blocking(&out, &msgs(2, 10)).await.unwrap();
    let first = b.recv(&inbox).await.unwrap();
    b.put_back(&inbox, first.clone());
    assert_eq!(b.recv(&inbox).await.unwrap(), first);
    let second = b.recv(&inbox).await.unwrap();
    assert_ne!(second, first);
    // A receive waiting on an empty inbox is woken by a message put back.
    let waiting = tokio::spawn({
        let (b, inbox) = (b.clone(), inbox.clone());
        async move { b.recv(&inbox).await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    b.put_back(&inbox, second.clone());
    assert_eq!(waiting.await.unwrap(), second);
    let third = Bytes::from_static(b"third");
    // After the stream closed, what was put back is still received, then NotConnected.
    b.close_stream(&inbox);
    b.put_back(&inbox, third.clone());
    assert_eq!(b.recv(&inbox).await.unwrap(), third);
    assert!(matches!(b.recv(&inbox).await, Err(SdkError::NotConnected)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_refuses_the_unaccepted_says_so_at_once() {
    let strict = builder().refuse_unaccepted(true).build().await.unwrap();
    let (a, c) = (node().await, node().await);
    // Nobody accepts c: its connect fails with handshake_refused, well
    // before its 10 s handshake timeout, and leaves no session.
    let refused = c.connect(strict.local_addr(), strict.public_key(), strict.node_id()).await;
    assert!(matches!(refused, Err(SdkError::Handshake(net_sdk::HandshakeError::Refused))), "{refused:?}");
    assert_eq!(refused.unwrap_err().kind(), "handshake_refused");
    assert!(strict.peers().is_empty() && c.peers().is_empty());
    assert!(strict.stats().handshakes_failed >= 1);
    // An accepted node still gets through. The accept is polled first
    // (join! polls in order): a strict node refuses a hello that comes
    // before its accept.
    let (accepted, dialled) =
        tokio::join!(strict.accept(a.node_id()), a.connect(strict.local_addr(), strict.public_key(), strict.node_id()));
    accepted.unwrap();
    dialled.unwrap();
}
