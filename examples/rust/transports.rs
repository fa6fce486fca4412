//! The SDK README's "Transports", "Persistent producer nonce" and "Redis
//! Streams consumer-side dedup helper" sections, run against real servers.
//!
//! The addresses are the seed's (`redis://localhost:6379`,
//! `nats://localhost:4222`) unless NET_REDIS_URL / NET_NATS_URL name
//! others, as tests/servers/run_with_servers.py does for `make test`:
//!
//!     tests/servers/run_with_servers.py -- cargo run --example transports
//!
//! The mesh line of the section runs in examples/rust/mesh_pair.rs.

use net_sdk::{EventBusConfig, JetStreamAdapterConfig, Net, PollRequest, RedisAdapterConfig, RedisStreamDedup};

fn env_or(name: &str, seed: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| seed.to_string())
}

/// Emit three events, flush, and read them back.
async fn round_trip(name: &str, net: &Net) -> net_sdk::Result<()> {
    for index in 0..3 {
        net.emit(&serde_json::json!({ "transport": name, "index": index }))?;
    }
    net.flush().await?;
    let page = net.poll(PollRequest { limit: 100, ..Default::default() }).await?;
    println!("{name}: {} events read back", page.events.len());
    Ok(())
}

#[tokio::main]
async fn main() -> net_sdk::Result<()> {
    let redis_url = env_or("NET_REDIS_URL", "redis://localhost:6379");
    let nats_url = env_or("NET_NATS_URL", "nats://localhost:4222");
    let nonce_dir = std::env::temp_dir().join(format!("net-transports-{}", std::process::id()));
    std::fs::create_dir_all(&nonce_dir).map_err(|e| net_sdk::SdkError::Io(e.to_string()))?;

    // In-memory (default, single process)
    let memory = Net::builder().memory().build().await?;
    // Redis Streams
    let redis = Net::builder().redis(RedisAdapterConfig::new(redis_url.as_str())).build().await?;
    // NATS JetStream
    let jetstream = Net::builder().jetstream(JetStreamAdapterConfig::new(nats_url.as_str())).build().await?;
    for (name, net) in [("memory", &memory), ("redis", &redis), ("jetstream", &jetstream)] {
        round_trip(name, net).await?;
        net.shutdown().await?;
    }

    // Persistent producer nonce (cross-restart dedup): a producer
    // restarted with the same nonce file writes the same dedup ids.
    let nonce_path = nonce_dir.join("producer.nonce");
    for _run in 0..2 {
        let cfg = EventBusConfig::builder()
            .num_shards(4)
            .redis(RedisAdapterConfig::new(redis_url.as_str()).prefix("transports-nonce"))
            .producer_nonce_path(&nonce_path)
            .build()?;
        let producer = Net::from_config(cfg).await?;
        producer.emit(&serde_json::json!({ "order": 1 }))?;
        producer.flush().await?;
        producer.shutdown().await?;
    }

    // Redis Streams consumer-side dedup helper: the second run's entry
    // carries the first run's dedup id, so the filter drops it.
    let client = redis::Client::open(redis_url.as_str()).map_err(|e| net_sdk::SdkError::Backend(e.to_string()))?;
    let mut conn = client.get_multiplexed_async_connection().await.map_err(|e| net_sdk::SdkError::Backend(e.to_string()))?;
    let mut dedup = RedisStreamDedup::with_capacity(600_000);
    let mut processed = 0;
    for shard in 0..4 {
        let stream: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
            .arg(format!("transports-nonce:shard:{shard}"))
            .arg("-")
            .arg("+")
            .query_async(&mut conn)
            .await
            .map_err(|e| net_sdk::SdkError::Backend(e.to_string()))?;
        for entry in stream.ids {
            let id: String = entry.get("dedup_id").unwrap_or_default();
            if !dedup.is_duplicate(&id) {
                processed += 1;
            }
        }
    }
    println!("dedup: {processed} of 2 entries processed, {} id remembered", dedup.len());
    std::fs::remove_dir_all(&nonce_dir).map_err(|e| net_sdk::SdkError::Io(e.to_string()))?;
    Ok(())
}
