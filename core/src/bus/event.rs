//! Events, their ids, and emit receipts.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{Result, SdkError};

/// Where an event lives: its shard and its per-shard sequence number.
///
/// Displays as `"shard:sequence"`, e.g. `"2:15"`, and parses back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId {
    /// The shard the event was stored in.
    pub shard: u16,
    /// Its position in that shard's log (strictly increasing per shard).
    pub sequence: u64,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.shard, self.sequence)
    }
}

impl FromStr for EventId {
    type Err = SdkError;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || SdkError::InvalidArgument(format!("event id {s:?} is not \"shard:sequence\""));
        let (shard, seq) = s.split_once(':').ok_or_else(bad)?;
        Ok(Self { shard: shard.parse().map_err(|_| bad())?, sequence: seq.parse().map_err(|_| bad())? })
    }
}

/// An event read back from the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Shard and sequence.
    pub id: EventId,
    /// The payload exactly as emitted (JSON for `emit`/`emit_str`).
    pub raw: Bytes,
    /// The shard (same as `id.shard`; kept for binding convenience).
    pub shard_id: u16,
    /// When it was emitted, Unix nanoseconds, from the bus's [`Clock`](crate::Clock).
    pub insertion_ts: u64,
}

impl Event {
    /// The payload as text; invalid UTF-8 is replaced (U+FFFD), never a panic.
    pub fn raw_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.raw)
    }

    /// Deserialize the JSON payload into `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.raw)
            .map_err(|e| SdkError::Deserialization(format!("event {}: {e}", self.id)))
    }
}

/// What `emit` hands back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// The shard the event was routed to.
    pub shard_id: u16,
    /// Its per-shard sequence (`u64::MAX` when `dropped`: it got none).
    pub sequence: u64,
    /// The emit timestamp, Unix nanoseconds.
    pub timestamp: u64,
    /// `true` only under `DropNewest` when the ring was full: the event was
    /// discarded (and counted in [`Stats::events_dropped`](super::Stats)).
    pub dropped: bool,
    /// Older events this emit discarded to make room for itself (only under
    /// `DropOldest`; also counted in [`Stats::events_dropped`](super::Stats)).
    /// 0 for every other policy.
    pub evicted: u32,
}

/// An event as a [`Backend`](super::Backend) stores it (its shard is implied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Per-shard sequence.
    pub sequence: u64,
    /// Emit timestamp, Unix nanoseconds.
    pub timestamp: u64,
    /// Payload.
    pub raw: Bytes,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_id_round_trips() {
        let id = EventId { shard: 2, sequence: 15 };
        assert_eq!(id.to_string(), "2:15");
        assert_eq!("2:15".parse::<EventId>().unwrap(), id);
        for bad in ["", "2", "2:", ":3", "a:1", "1:-1", "70000:1"] {
            assert_eq!(bad.parse::<EventId>().unwrap_err().kind(), "invalid_argument", "{bad}");
        }
    }

    #[test]
    fn raw_str_and_parse() {
        let e = Event {
            id: EventId { shard: 0, sequence: 1 },
            raw: Bytes::from_static(b"{\"a\":1}"),
            shard_id: 0,
            insertion_ts: 0,
        };
        assert_eq!(e.raw_str(), "{\"a\":1}");
        let v: serde_json::Value = e.parse().unwrap();
        assert_eq!(v["a"], 1);
        let bad = Event { raw: Bytes::from_static(b"\xff{"), ..e };
        assert_eq!(bad.raw_str(), "\u{fffd}{");
        assert_eq!(bad.parse::<serde_json::Value>().unwrap_err().kind(), "deserialization");
    }
}
