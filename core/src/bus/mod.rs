//! The local event bus.
//!
//! ```text
//! emit ─► pick shard (xxh3 / round robin) ─► lock-free ring (per shard)
//!      ─► batcher task (per shard, adaptive batches) ─► Backend::append
//! poll / subscribe ◄── Backend::read (+ change signal) ◄─┘
//! ```
//! One concept per file: [`config`](Backpressure) (policies), `ring` (the
//! lock-free ring), `shard` (ring + counters + backpressure), `batcher`,
//! [`backend`], `event` (events, ids, receipts), `cursor` (poll cursors),
//! `block` (a drained round on its way to the backend), `poll`, `subscribe`, `stats`, `event_bus` (engine + lifecycle), `ingest`
//! (emit paths), `payload` (event bytes while in a ring slot), `builder` and `net` (the front door).

pub mod backend;
mod batcher;
mod block;
mod builder;
mod config;
mod cursor;
mod dedup;
mod event;
mod event_bus;
mod event_bus_config;
mod ingest;
mod net;
mod nonce;
mod payload;
mod poll;
mod ring;
mod shard;
mod stats;
mod subscribe;
mod transport;

#[cfg(feature = "jetstream")]
pub use backend::{JetStreamAdapterConfig, JetStreamBackend};
#[cfg(feature = "net")]
pub use backend::MeshBackend;
#[cfg(feature = "redis")]
pub use backend::{RedisAdapterConfig, RedisBackend};
pub use backend::{Backend, MemoryBackend, PeerTraffic, ReadOutcome};
pub use batcher::SHUTDOWN_RETRY;
pub use dedup::{RedisStreamDedup, DEFAULT_DEDUP_CAPACITY};
pub use nonce::{dedup_id, load_or_create_nonce};
pub use block::EventBlock;
#[cfg(feature = "net")]
pub use builder::MeshSource;
pub use builder::NetBuilder;
pub use event_bus_config::{EventBusConfig, EventBusConfigBuilder};
pub use config::{Backpressure, ShardStrategy};
pub use event::{Event, EventId, Receipt, StoredEvent};
pub use event_bus::EventBus;
pub use net::Net;
pub use poll::{PollRequest, PollResponse};
pub use stats::{Health, Stats};
pub use subscribe::{EventStream, SubscribeOpts, TypedEventStream};
#[cfg(feature = "net")]
pub use transport::NetAdapterConfig;
pub use transport::TransportConfig;
