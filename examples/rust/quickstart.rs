//! The SDK README's Quick Start, with a subscribe loop that terminates:
//! a spawned task emits a few more events after we subscribe, and we take
//! exactly that many.

use futures::StreamExt;
use net_sdk::{Backpressure, Net};

#[tokio::main]
async fn main() -> net_sdk::error::Result<()> {
    let node = Net::builder().shards(4).backpressure(Backpressure::DropOldest).memory().build().await?;

    // Emit events
    node.emit(&serde_json::json!({"token": "hello", "index": 0}))?;
    node.emit_raw(b"{\"token\": \"world\"}" as &[u8])?;
    node.emit_str("{\"token\": \"foo\"}")?;

    // Batch
    let count = node.emit_batch(&[serde_json::json!({"a": 1}), serde_json::json!({"a": 2})])?;
    println!("batch accepted {count} events");

    node.flush().await?;

    // Poll
    let response = node.poll(net_sdk::PollRequest { limit: 100, ..Default::default() }).await?;
    for event in &response.events {
        println!("polled {}: {}", event.id, event.raw_str());
    }

    // Stream: subscribe (live) first, then emit a few more from a task.
    const LIVE: usize = 3;
    let stream = node.subscribe(Default::default());
    let producer = node.clone();
    let emitter = tokio::spawn(async move {
        for index in 1..=LIVE {
            producer.emit(&serde_json::json!({"token": "live", "index": index}))?;
        }
        Ok::<_, net_sdk::SdkError>(())
    });
    let mut stream = stream.take(LIVE);
    while let Some(event) = stream.next().await {
        println!("streamed {}", event?.raw_str());
    }
    emitter.await.expect("the emitter task panicked")?;

    node.shutdown().await
}
