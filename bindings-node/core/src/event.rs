//! Events, poll pages, stats and receipts as plain JS objects.

use napi::bindgen_prelude::BigInt;
use napi_derive::napi;
use net_sdk::{Event, PollResponse, Receipt, Stats};

/// An event read back from the bus.
#[napi(object)]
pub struct JsEvent {
    /// `"shard:sequence"`.
    pub id: String,
    /// The payload as text (invalid UTF-8 replaced by U+FFFD).
    pub raw: String,
    pub shard_id: u32,
    /// Per-shard sequence.
    pub sequence: BigInt,
    /// Emit time, Unix nanoseconds.
    pub insertion_ts: BigInt,
}

impl From<Event> for JsEvent {
    fn from(e: Event) -> Self {
        JsEvent {
            id: e.id.to_string(),
            raw: e.raw_str().into_owned(),
            shard_id: u32::from(e.shard_id),
            sequence: BigInt::from(e.id.sequence),
            insertion_ts: BigInt::from(e.insertion_ts),
        }
    }
}

/// What `poll` resolves to.
#[napi(object)]
pub struct PollPage {
    pub events: Vec<JsEvent>,
    /// The cursor to pass next time.
    pub next_id: String,
    /// Whether some shard still has unread events.
    pub has_more: bool,
}

impl From<PollResponse> for PollPage {
    fn from(p: PollResponse) -> Self {
        PollPage { events: p.events.into_iter().map(JsEvent::from).collect(), next_id: p.next_id, has_more: p.has_more }
    }
}

/// Ingestion statistics.
#[napi(object, use_nullable = true)]
pub struct JsStats {
    pub events_ingested: BigInt,
    pub events_dropped: BigInt,
    pub batches_dispatched: BigInt,
    pub shard_depths: Vec<u32>,
    /// Failed backend appends (each failed retry counts).
    pub backend_errors: BigInt,
    /// Times the backend recovered: an append succeeded after failures.
    pub reconnects: BigInt,
    /// Milliseconds since the latest successful append; null before the first.
    pub since_last_success_ms: Option<f64>,
    /// Mesh transport: events not delivered to a peer (gone when they were
    /// forwarded, or not acknowledged by shutdown).
    pub forward_failures: BigInt,
    /// Mesh transport: events received from peers and stored here.
    pub remote_events: BigInt,
}

impl From<Stats> for JsStats {
    fn from(s: Stats) -> Self {
        JsStats {
            events_ingested: BigInt::from(s.events_ingested),
            events_dropped: BigInt::from(s.events_dropped),
            batches_dispatched: BigInt::from(s.batches_dispatched),
            shard_depths: s.shard_depths.into_iter().map(|d| d as u32).collect(),
            backend_errors: BigInt::from(s.backend_errors),
            reconnects: BigInt::from(s.reconnects),
            since_last_success_ms: s.since_last_success.map(|d| d.as_secs_f64() * 1000.0),
            forward_failures: BigInt::from(s.forward_failures),
            remote_events: BigInt::from(s.remote_events),
        }
    }
}

/// What an emit hands back.
#[napi(object)]
pub struct JsReceipt {
    pub shard_id: u32,
    pub sequence: BigInt,
    /// Emit time, Unix nanoseconds.
    pub timestamp: BigInt,
    /// True when the event was discarded (`DropNewest` on a full ring).
    pub dropped: bool,
    /// Older events this emit discarded to make room (`DropOldest` only).
    pub evicted: u32,
}

impl From<Receipt> for JsReceipt {
    fn from(r: Receipt) -> Self {
        JsReceipt {
            shard_id: u32::from(r.shard_id),
            sequence: BigInt::from(r.sequence),
            timestamp: BigInt::from(r.timestamp),
            dropped: r.dropped,
            evicted: r.evicted,
        }
    }
}
