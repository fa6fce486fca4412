//! The "done" story with two real processes: each side knows only
//! the other's address, public key and node id; a reliable stream crosses
//! a lossy link (drop / duplicate / reorder on both sockets) and delivers
//! everything once and in order, both ways; an impostor without the PSK is
//! refused.
//!
//! One test binary plays both parts: the parent runs this test, which
//! starts the same binary again with `PEER_ENV` set, and the child's copy
//! of the test takes the peer's side. Lines the child prints on stdout
//! (`node-id N`, `impostor-id N`) are how the parent learns its ids.
//! Each side keeps its own lossy link, so every datagram can be lost,
//! duplicated or reordered at either end.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use net_sdk::mesh::{LossyLink, MeshBuilder, StreamConfig};
use net_sdk::Mesh;

const PSK: [u8; 32] = [0x42; 32];
const LONG: Duration = Duration::from_secs(30);
const TEST: &str = "mesh_two_processes::two_processes_exchange_reliably_under_loss_and_refuse_an_impostor";
/// Set for the child: "addr public-key-hex node-id" of the parent's node.
const PEER_ENV: &str = "NET_MESH_TWO_PROCESS_PEER";
const STREAM: u64 = 7;
const MESSAGES: usize = 1500;

async fn lossy_node(seed: u64) -> Mesh {
    MeshBuilder::new("127.0.0.1:0", &PSK)
        .unwrap()
        .handshake_timeout(Duration::from_secs(10))
        .lossy_link(LossyLink::new(seed).drop_percent(10).duplicate_percent(5).reorder_percent(10))
        .retransmit_timeout(Duration::from_millis(5), Duration::from_millis(200))
        .build()
        .await
        .unwrap()
}

fn message(i: usize) -> Bytes {
    if i == MESSAGES - 1 {
        // Larger than a datagram: its fragments cross the lossy link too.
        return Bytes::from(vec![0xAB; 12_000]);
    }
    Bytes::from(format!("message {i:05} {}", "x".repeat(i % 40)))
}

async fn receive(mesh: &Mesh, stream: &net_sdk::mesh::MeshStream, n: usize) -> Vec<Bytes> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        got.push(mesh.recv_timeout(stream, LONG).await.expect("a message within the deadline"));
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_exchange_reliably_under_loss_and_refuse_an_impostor() {
    if let Ok(spec) = std::env::var(PEER_ENV) {
        return child(&spec).await;
    }
    let a = lossy_node(1).await;
    let spec = format!("{} {} {}", a.local_addr(), hex::encode(a.public_key()), a.node_id());
    let mut peer = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads", "1"])
        .env(PEER_ENV, spec)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the test binary starts again as the peer");
    let mut lines = BufReader::new(peer.stdout.take().unwrap()).lines();
    let mut id_after = move |tag: &str| -> u64 {
        for line in lines.by_ref() {
            // The test harness may have begun the line ("test … ... ").
            if let Some((_, id)) = line.expect("the peer's stdout").split_once(tag) {
                return id.split_whitespace().next().expect("an id").parse().expect("a node id");
            }
        }
        panic!("the peer exited before printing {tag}");
    };
    let b_id = id_after("node-id ");
    a.accept_with_timeout(b_id, LONG).await.expect("the peer's handshake");
    a.start().unwrap();

    let stream = a.open_stream(b_id, STREAM, StreamConfig::new().with_window_bytes(64)).unwrap();
    let got = receive(&a, &stream, MESSAGES).await;
    assert!(got.iter().cloned().eq((0..MESSAGES).map(message)), "every message once, in order");
    // And back the other way, through the same lossy link.
    for chunk in got.chunks(50) {
        a.send_blocking(&stream, chunk).await.unwrap();
    }
    assert!(a.stream_stats(b_id, STREAM).unwrap().retransmits > 0, "the link did lose packets");

    let impostor = id_after("impostor-id ");
    assert!(a.accept_with_timeout(impostor, Duration::from_secs(5)).await.is_err(), "no session for an impostor");
    assert_eq!(a.peer_state(impostor), None, "nothing half-open is left for it");

    let status = tokio::task::spawn_blocking(move || peer.wait()).await.unwrap().unwrap();
    assert!(status.success(), "the peer process failed: {status}");
    a.shutdown().await.unwrap();
}

/// The peer's side: dial the parent, send the messages, read them back,
/// then let an impostor with another PSK try.
async fn child(spec: &str) {
    let mut parts = spec.split(' ');
    let addr: std::net::SocketAddr = parts.next().unwrap().parse().unwrap();
    let key: [u8; 32] = hex::decode(parts.next().unwrap()).unwrap().try_into().unwrap();
    let a_id: u64 = parts.next().unwrap().parse().unwrap();

    let b = lossy_node(2).await;
    println!("node-id {}", b.node_id());
    b.connect(addr, &key, a_id).await.expect("handshake with the parent");
    b.start().unwrap();
    let stream = b.open_stream(a_id, STREAM, StreamConfig::new().with_window_bytes(64)).unwrap();
    let all: Vec<Bytes> = (0..MESSAGES).map(message).collect();
    for chunk in all.chunks(50) {
        b.send_blocking(&stream, chunk).await.unwrap();
    }
    let back = receive(&b, &stream, MESSAGES).await;
    assert!(back == all, "the echo came back once, in order");

    let impostor = MeshBuilder::new("127.0.0.1:0", &[0x13; 32]).unwrap().build().await.unwrap();
    println!("impostor-id {}", impostor.node_id());
    let refused = impostor.connect_with_timeout(addr, &key, a_id, Duration::from_secs(5)).await;
    assert_eq!(refused.unwrap_err().kind(), "wrong_psk");
    impostor.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}
