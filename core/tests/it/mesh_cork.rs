//! Corking and the waiting send (issue 18): consecutive one-message sends
//! share datagrams, what corking holds is released by the peer's ack (no
//! timer needed), and `send_blocking` waits for an ack instead of polling.
//! No timing assertions: deadlines only bound a hang.

use std::time::Duration;

use bytes::Bytes;
use net_sdk::mesh::{MeshBuilder, StreamConfig};
use net_sdk::{Mesh, SdkError};

const PSK: [u8; 32] = [0x24; 32];
const LONG: Duration = Duration::from_secs(30);

async fn node() -> Mesh {
    MeshBuilder::new("127.0.0.1:0", &PSK).unwrap().build().await.unwrap()
}

/// Two handshaken nodes; their timer tasks run only with `timers`.
async fn pair(timers: bool) -> (Mesh, Mesh) {
    pair_of(node().await, node().await, timers).await
}

async fn pair_of(a: Mesh, b: Mesh, timers: bool) -> (Mesh, Mesh) {
    let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
    ra.unwrap();
    rb.unwrap();
    if timers {
        a.start().unwrap();
        b.start().unwrap();
    }
    (a, b)
}

fn message(i: u32) -> Bytes {
    let mut m = vec![0x5A; 64];
    m[..4].copy_from_slice(&i.to_le_bytes());
    Bytes::from(m)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_message_per_call_shares_datagrams() {
    const N: u32 = 20_000;
    let (a, b) = pair(true).await;
    let cfg = StreamConfig::new().with_window_bytes(4096).with_receive_capacity(1 << 16);
    let rx = b.open_stream(a.node_id(), 3, cfg).unwrap();
    let tx = a.open_stream(b.node_id(), 3, cfg).unwrap();
    let reader = {
        let b = b.clone();
        tokio::spawn(async move {
            let mut got = Vec::with_capacity(N as usize);
            while got.len() < N as usize {
                got.push(tokio::time::timeout(LONG, b.recv(&rx)).await.expect("a message never came").unwrap());
            }
            got
        })
    };
    let before = a.stats().datagrams_sent;
    for i in 0..N {
        a.send_blocking(&tx, &[message(i)]).await.unwrap();
    }
    let got = reader.await.unwrap();
    assert!(got.iter().enumerate().all(|(i, m)| *m == message(i as u32)), "every message, in order");
    let datagrams = a.stats().datagrams_sent - before;
    // One datagram per call before corking; 64-byte messages fill a
    // 1400-byte datagram 16 at a time.
    assert!(datagrams < u64::from(N) / 4, "{N} one-message sends took {datagrams} datagrams");
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

/// With no timer task on either side, nothing but the peer's ack can
/// release what corking held: every message still arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_messages_leave_on_the_ack_alone() {
    for timers in [false, true] {
        let (a, b) = pair(timers).await;
        let rx = b.open_stream(a.node_id(), 5, StreamConfig::new()).unwrap();
        let tx = a.open_stream(b.node_id(), 5, StreamConfig::new()).unwrap();
        // The first two leave at once; the later ones wait for an ack
        // (two packets out), which the receiver sends without delay.
        for i in 0..5 {
            a.send_on_stream(&tx, &[message(i)]).await.unwrap();
        }
        for i in 0..5 {
            let m = tokio::time::timeout(LONG, b.recv(&rx)).await.expect("a held message was never released");
            assert_eq!(m.unwrap(), message(i), "timers {timers}");
        }
        a.shutdown().await.unwrap();
        b.shutdown().await.unwrap();
    }
}

/// A sender blocked on a full window tries again only when an ack frees
/// room: with a reader that does not read, one refusal in 300 ms (a
/// polling retry would have tried every few milliseconds). Reading frees
/// room and the send completes; closing the stream ends a wait with
/// `NotConnected`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_blocking_waits_for_an_ack_not_a_timer() {
    let (a, b) = pair(true).await;
    // The receiver stops acknowledging once 4 messages wait unread.
    let rx = b.open_stream(a.node_id(), 7, StreamConfig::new().with_receive_capacity(4)).unwrap();
    let tx = a.open_stream(b.node_id(), 7, StreamConfig::new().with_window_bytes(4)).unwrap();
    for i in 0..8 {
        a.send_blocking(&tx, &[message(i)]).await.unwrap();
    }
    let refusals = |a: &Mesh| a.stream_stats(b.node_id(), 7).unwrap().backpressure_events;
    let before = refusals(&a);
    let blocked = {
        let (a, tx) = (a.clone(), tx.clone());
        tokio::spawn(async move { a.send_blocking(&tx, &[message(8)]).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!blocked.is_finished(), "the window is full and nothing is read");
    assert_eq!(refusals(&a) - before, 1, "no ack came, so no retry");
    for i in 0..9 {
        assert_eq!(tokio::time::timeout(LONG, b.recv(&rx)).await.unwrap().unwrap(), message(i));
    }
    tokio::time::timeout(LONG, blocked).await.expect("reading freed room").unwrap().unwrap();

    // Fill the window again, then close the stream under a waiting send.
    for i in 0..8 {
        a.send_blocking(&tx, &[message(i)]).await.unwrap();
    }
    let waiting = {
        let (a, tx) = (a.clone(), tx.clone());
        tokio::spawn(async move { a.send_blocking(&tx, &[message(99)]).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    a.close_stream(&tx);
    let ended = tokio::time::timeout(LONG, waiting).await.expect("closing woke the waiter").unwrap();
    assert!(matches!(ended, Err(SdkError::NotConnected)), "{ended:?}");
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

/// A peer on a loopback address gets 16 KiB datagrams (loopback's MTU is
/// 64 KiB): 64 messages of 1 KiB in one send take 5 datagrams, not 64. An
/// explicit `max_datagram` applies to loopback too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_peers_get_large_datagrams() {
    let batch: Vec<Bytes> = (0..64u8).map(|i| Bytes::from(vec![i; 1024])).collect();
    for (max, least, most) in [(None, 5, 5), (Some(1400), 64, 64)] {
        let build = || async {
            let b = MeshBuilder::new("127.0.0.1:0", &PSK).unwrap();
            match max {
                Some(n) => b.max_datagram(n),
                None => b,
            }
            .build()
            .await
            .unwrap()
        };
        let (a, b) = pair_of(build().await, build().await, false).await;
        let cfg = StreamConfig::new().with_window_bytes(1024);
        let rx = b.open_stream(a.node_id(), 9, cfg).unwrap();
        let tx = a.open_stream(b.node_id(), 9, cfg).unwrap();
        let before = a.stats().datagrams_sent;
        a.send_on_stream(&tx, &batch).await.unwrap();
        let sent = a.stats().datagrams_sent - before;
        assert!((least..=most).contains(&sent), "max_datagram {max:?}: {sent} datagrams for 64 KiB");
        for m in &batch {
            assert_eq!(&tokio::time::timeout(LONG, b.recv(&rx)).await.unwrap().unwrap(), m);
        }
        a.shutdown().await.unwrap();
        b.shutdown().await.unwrap();
    }
}
