//! Poll cursors: the `next_id` string.
//!
//! A cursor records, for EVERY shard, the next sequence to read, as
//! comma-separated `shard:sequence` pairs in shard order, e.g.
//! `"0:15,1:7,2:0,3:9"`. Carrying every shard (rather than one event id)
//! is what lets a resumed poll deliver each retained event exactly once
//! while shards advance at different speeds. Parsing accepts the pairs in
//! any order but requires each shard of this bus exactly once.

use std::fmt::Write;

use crate::error::{Result, SdkError};

/// Next sequence to read, per shard (index = shard id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor(pub Vec<u64>);

impl Cursor {
    /// All shards at sequence 0 ("from the oldest retained event").
    pub(crate) fn start(shards: u16) -> Self {
        Self(vec![0; shards as usize])
    }

    /// Parse a cursor for a bus with `shards` shards.
    pub(crate) fn parse(s: &str, shards: u16) -> Result<Self> {
        let bad = |why: &str| SdkError::InvalidCursor(format!("{why}: {s:?}"));
        let mut next: Vec<Option<u64>> = vec![None; shards as usize];
        let mut count = 0usize;
        for pair in s.split(',') {
            let (shard, seq) = pair.trim().split_once(':').ok_or_else(|| bad("expected shard:sequence pairs"))?;
            let shard: usize = shard.parse().map_err(|_| bad("bad shard number"))?;
            let seq: u64 = seq.parse().map_err(|_| bad("bad sequence number"))?;
            let slot = next.get_mut(shard).ok_or_else(|| bad("shard out of range for this bus"))?;
            if slot.replace(seq).is_some() {
                return Err(bad("shard listed twice"));
            }
            count += 1;
        }
        if count != shards as usize {
            return Err(bad(&format!("cursor has {count} shards, this bus has {shards}")));
        }
        Ok(Self(next.into_iter().map(|v| v.unwrap_or(0)).collect()))
    }

    /// Parse an optional cursor; `None` means [`Cursor::start`].
    pub(crate) fn parse_opt(s: Option<&str>, shards: u16) -> Result<Self> {
        match s {
            Some(s) => Self::parse(s, shards),
            None => Ok(Self::start(shards)),
        }
    }

    /// Render as the `next_id` string.
    pub(crate) fn encode(&self) -> String {
        let mut out = String::with_capacity(self.0.len() * 8);
        for (shard, seq) in self.0.iter().enumerate() {
            if shard > 0 {
                out.push(',');
            }
            // Writing to a String cannot fail.
            let _ = write!(out, "{shard}:{seq}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_any_order() {
        let c = Cursor(vec![15, 7, 0, 9]);
        assert_eq!(c.encode(), "0:15,1:7,2:0,3:9");
        assert_eq!(Cursor::parse("0:15,1:7,2:0,3:9", 4).unwrap(), c);
        assert_eq!(Cursor::parse("3:9,1:7,0:15,2:0", 4).unwrap(), c);
        assert_eq!(Cursor::parse_opt(None, 2).unwrap(), Cursor(vec![0, 0]));
    }

    #[test]
    fn rejects_malformed_and_wrong_shard_count() {
        for bad in ["", "garbage", "0:1,1:2,2:3", "0:1,1:2,2:3,3:4,4:5", "0:1,0:2,2:3,3:4", "0:x,1:2,2:3,3:4", "0:1;1:2;2:3;3:4", "0:1,1:2,2:3,9:4", "-1:1,1:2,2:3,3:4"] {
            let err = Cursor::parse(bad, 4).unwrap_err();
            assert_eq!(err.kind(), "invalid_cursor", "{bad}");
        }
    }
}
