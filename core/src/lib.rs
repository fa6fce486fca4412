//! # Net — the engine and the Rust SDK
//!
//! Net is an encrypted, latency-first mesh event bus. This crate (published
//! as `net-mesh-sdk`, imported as `net_sdk`) holds the whole engine; the C
//! ABI and the Node, Python and Go bindings are thin skins over it.
//!
//! Modules, one concept each:
//! - [`bus`]: the local event bus — sharded lock-free rings, batchers,
//!   backends, poll cursors, subscriptions ([`Net`] is its front door).
//! - [`identity`]: ed25519 identities, node ids and permission tokens.
//! - [`mesh`] (feature `net`, on by default): the encrypted UDP mesh —
//!   handshakes, sessions, streams.
//! - [`capabilities`]: capability sets, filters, predicates, signed
//!   announcements and their index, scoped discovery.
//! - [`subnets`]: 4-level subnet ids and the tag policies deriving them.
//! - [`channel`]: channel names and their hashes.
//! - [`redex`]: crash-safe append-only log files (RedEX).
//! - [`cortex`]: event-sourced tasks and memories folded from RedEX files,
//!   and [`NetDb`](cortex::NetDb), their facade.
//! - [`meshos`]: the MeshOS daemon SDK: control events, logs, metadata, published capabilities.
//! - [`clock`]: the one clock every timestamp comes from.
//! - [`runtime`]: the process-global tokio runtime used by foreign callers.
//! - `metrics` (feature `metrics`): the statistics as Prometheus text.
//! - [`error`]: [`SdkError`] and its stable kind strings.

pub mod bus;
#[path = "capability/mod.rs"]
pub mod capabilities;
pub mod channel;
pub mod clock;
pub mod compute;
pub mod cortex;
pub mod error;
pub mod identity;
#[cfg(feature = "net")]
pub mod mesh;
pub mod meshos;
#[cfg(feature = "metrics")]
pub mod metrics;
pub mod redex;
pub mod runtime;
#[path = "subnet/mod.rs"]
pub mod subnets;

pub use bus::{
    Backend, Backpressure, Event, EventBlock, EventBus, EventBusConfig, EventBusConfigBuilder, EventId, EventStream,
    Health, MemoryBackend, Net, NetBuilder, PollRequest, PollResponse, ReadOutcome, Receipt, RedisStreamDedup,
    ShardStrategy, Stats, StoredEvent, SubscribeOpts, TransportConfig, TypedEventStream, DEFAULT_DEDUP_CAPACITY,
};
#[cfg(feature = "jetstream")]
pub use bus::{JetStreamAdapterConfig, JetStreamBackend};
#[cfg(feature = "net")]
pub use bus::{MeshSource, NetAdapterConfig};
#[cfg(feature = "redis")]
pub use bus::{RedisAdapterConfig, RedisBackend};
pub use channel::{channel_hash, ChannelHash, ChannelName, ChannelNameError};
pub use clock::Clock;
pub use error::{Result, SdkError};
pub use identity::{EntityId, Identity, IdentityError, PermissionToken, TokenCache, TokenError, TokenScope};
#[cfg(feature = "net")]
pub use mesh::{HandshakeError, Mesh, MeshBuilder, MeshStream, PeerState, Reliability, StreamConfig, StreamStats};

/// Compiles and runs the Rust snippets of the repository README, so the
/// front page cannot drift from the API.
#[cfg(all(doctest, feature = "net"))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
