//! Two mesh nodes on loopback: handshake, a reliable stream, stats.
//!
//! Run with `cargo run --release -p net-mesh-sdk --example mesh_pair`.

use std::time::Duration;

use bytes::Bytes;
use net_sdk::mesh::{MeshBuilder, Reliability, StreamConfig};
use net_sdk::{Identity, SdkError};

#[tokio::main]
async fn main() -> net_sdk::Result<()> {
    let psk = [0x42u8; 32]; // shared by every node of this mesh
    let alice = MeshBuilder::new("127.0.0.1:0", &psk)?.identity(Identity::generate()).build().await?;
    let bob = MeshBuilder::new("127.0.0.1:0", &psk)?.build().await?;
    println!("alice {:#018x} at {}", alice.node_id(), alice.local_addr());
    println!("bob   {:#018x} at {} key {}", bob.node_id(), bob.local_addr(), hex::encode(bob.public_key()));

    // Alice dials Bob with his address, static key and node id; Bob accepts her.
    let (dialed, accepted) = tokio::join!(
        alice.connect(bob.local_addr(), bob.public_key(), bob.node_id()),
        bob.accept(alice.node_id())
    );
    dialed?;
    println!("handshake done; bob sees alice at {}", accepted?);
    alice.start()?;
    bob.start()?;

    // One reliable stream, a small window so back-pressure shows.
    let config = StreamConfig::new().with_reliability(Reliability::Reliable).with_window_bytes(64);
    let inbound = bob.open_stream(alice.node_id(), 0x42, config)?;
    let outbound = alice.open_stream(bob.node_id(), 0x42, config)?;

    let total = 10_000usize;
    let reader = {
        let bob = bob.clone();
        tokio::spawn(async move {
            let mut sum = 0usize;
            for i in 0..total {
                let m = bob.recv(&inbound).await?;
                assert_eq!(m, Bytes::from(format!("message {i}")), "in order, exactly once");
                sum += m.len();
            }
            Ok::<_, SdkError>(sum)
        })
    };
    let mut refused = 0;
    for chunk in (0..total).collect::<Vec<_>>().chunks(32) {
        let batch: Vec<Bytes> = chunk.iter().map(|i| Bytes::from(format!("message {i}"))).collect();
        // Drop-on-pressure would be `send_on_stream`; here we wait politely.
        loop {
            match alice.send_on_stream(&outbound, &batch).await {
                Ok(()) => break,
                Err(SdkError::Backpressure) => {
                    refused += 1;
                    tokio::time::sleep(Duration::from_micros(200)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
    let bytes = reader.await.expect("reader task")?;
    println!("bob received {total} messages ({bytes} bytes) in order; {refused} sends met back-pressure");

    // The last acks may still be on their way: give them a moment.
    for _ in 0..200 {
        if alice.stream_stats(bob.node_id(), 0x42).is_some_and(|s| s.in_flight == 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let stats = alice.stream_stats(bob.node_id(), 0x42).expect("stream is open");
    println!(
        "alice stream 0x42: tx_seq {} in_flight {} window {} backpressure_events {} retransmits {} srtt {} us",
        stats.tx_seq, stats.in_flight, stats.window, stats.backpressure_events, stats.retransmits, stats.srtt_us
    );
    let s = bob.stats();
    println!("bob: {} datagrams in, {} tampered, {} replayed", s.datagrams_received, s.tampered, s.replayed);

    alice.shutdown().await?;
    bob.shutdown().await?;
    Ok(())
}
