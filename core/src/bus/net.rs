//! [`Net`]: the node handle users hold.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::builder::NetBuilder;
use super::event::Receipt;
use super::event_bus::EventBus;
use super::poll::{PollRequest, PollResponse};
use super::stats::{Health, Stats};
use super::subscribe::{EventStream, SubscribeOpts, TypedEventStream};
use crate::error::Result;

/// A Net node: emit, poll, subscribe. Cheap to clone (an `Arc` inside);
/// `Send + Sync`. Call [`shutdown`](Self::shutdown) to drain; dropping the
/// last clone without it stops the batchers but loses queued events.
///
/// ```
/// # #[tokio::main] async fn main() -> net_sdk::Result<()> {
/// use net_sdk::{Net, PollRequest};
/// let net = Net::builder().shards(2).build().await?;
/// let receipt = net.emit_raw(&b"{\"a\":1}"[..])?;
/// net.flush().await?;
/// let page = net.poll(PollRequest::default()).await?;
/// assert_eq!(page.events[0].id.sequence, receipt.sequence);
/// net.shutdown().await
/// # }
/// ```
#[derive(Clone)]
pub struct Net {
    bus: Arc<EventBus>,
}

impl Net {
    /// A builder with the defaults (4 shards, memory backend, DropOldest).
    pub fn builder() -> NetBuilder {
        NetBuilder::default()
    }

    /// Build and start a node from a configuration made ahead of time
    /// (`Net::builder().config(config).build()`).
    pub async fn from_config(config: super::EventBusConfig) -> crate::error::Result<Net> {
        NetBuilder::default().config(config).build().await
    }

    pub(crate) fn from_bus(bus: Arc<EventBus>) -> Self {
        Self { bus }
    }

    /// JSON-serialize `value` and emit it.
    pub fn emit<T: Serialize + ?Sized>(&self, value: &T) -> Result<Receipt> {
        self.bus.emit(value)
    }

    /// Emit bytes as they are (fastest; no allocation for a `Bytes` or a
    /// `&'static [u8]`).
    #[inline]
    pub fn emit_raw(&self, raw: impl Into<Bytes>) -> Result<Receipt> {
        self.bus.emit_raw(raw.into())
    }

    /// Emit a string (copied; not validated as JSON).
    pub fn emit_str(&self, json: &str) -> Result<Receipt> {
        self.bus.emit_raw_copy(json.as_bytes())
    }

    /// Emit a copy of borrowed bytes. Events of up to 38 bytes are copied
    /// into the ring slot itself, so this allocates nothing on the calling
    /// thread; use it when the bytes belong to someone else (foreign
    /// memory, a reused buffer).
    #[inline]
    pub fn emit_raw_copy(&self, raw: &[u8]) -> Result<Receipt> {
        self.bus.emit_raw_copy(raw)
    }

    /// As [`emit_raw_copy`](Self::emit_raw_copy), but never waits for room:
    /// under [`Backpressure::Block`](crate::Backpressure::Block) a full
    /// ring fails with `Backpressure` at once (see
    /// [`EventBus::try_emit_raw_copy`]).
    #[inline]
    pub fn try_emit_raw_copy(&self, raw: &[u8]) -> Result<Receipt> {
        self.bus.try_emit_raw_copy(raw)
    }

    /// Serialize and emit a batch to one shard; returns how many were stored.
    pub fn emit_batch<T: Serialize>(&self, items: &[T]) -> Result<usize> {
        self.bus.emit_batch(items)
    }

    /// Emit a batch of raw payloads to one shard, in order, with one
    /// timestamp; returns how many were stored (see [`EventBus::emit_raw_batch`]).
    pub fn emit_raw_batch(&self, events: Vec<Bytes>) -> Result<usize> {
        self.bus.emit_raw_batch(events)
    }

    /// Emit copies of borrowed events as one batch to one shard, in order;
    /// returns how many were stored. The copies share one allocation.
    pub fn emit_raw_copy_batch(&self, events: &[&[u8]]) -> Result<usize> {
        self.bus.emit_raw_copy_batch(events)
    }

    /// Emit copies of events laid back to back in `block` (event `i` is the
    /// next `lens[i]` bytes) as one batch to one shard, in order; returns
    /// how many were stored (see [`EventBus::emit_raw_copy_block`]).
    pub fn emit_raw_copy_block(&self, block: &[u8], lens: &[usize]) -> Result<usize> {
        self.bus.emit_raw_copy_block(block, lens)
    }

    /// One-shot poll.
    pub async fn poll(&self, req: PollRequest) -> Result<PollResponse> {
        self.bus.poll(req).await
    }

    /// An async stream of events.
    pub fn subscribe(&self, opts: SubscribeOpts) -> EventStream {
        self.bus.subscribe(opts)
    }

    /// An async stream of events deserialized into `T`.
    pub fn subscribe_typed<T: DeserializeOwned + Send + 'static>(&self, opts: SubscribeOpts) -> TypedEventStream<T> {
        self.bus.subscribe_typed(opts)
    }

    /// Ingestion statistics.
    pub fn stats(&self) -> Stats {
        self.bus.stats()
    }

    /// Number of shards.
    pub fn shards(&self) -> u16 {
        self.bus.shard_count()
    }

    /// Health snapshot.
    pub fn health(&self) -> Health {
        self.bus.health()
    }

    /// Returns once every event emitted before the call is visible to poll.
    pub async fn flush(&self) -> Result<()> {
        self.bus.flush().await
    }

    /// Drain and stop; idempotent. Afterwards emits and polls fail with
    /// [`SdkError::Closed`](crate::SdkError::Closed) and subscriptions end.
    pub async fn shutdown(&self) -> Result<()> {
        self.bus.shutdown().await
    }

    /// The underlying engine.
    pub fn bus(&self) -> &EventBus {
        &self.bus
    }
}

impl std::fmt::Debug for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Net").field("shards", &self.shards()).field("health", &self.health()).finish()
    }
}
