//! The memories model: [`Memory`], its events and their fold.


use serde::{Deserialize, Serialize};

use crate::cortex::codec::{Reader, Writer};
use crate::cortex::fold::{Applied, Model};
use crate::cortex::record::{update_existing, Record, Records};

/// A memory as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    pub id: u64,
    pub content: String,
    /// Sorted, without duplicates.
    pub tags: Vec<String>,
    pub pinned: bool,
    /// The creation time the producer gave to `store` (its own unit).
    pub created_at: u64,
    /// When the last event touching it was appended (ns since the Unix
    /// epoch, from the log).
    pub updated_at_nanos: u64,
    /// Origin hash of the producer that stored it.
    pub origin: u64,
    /// Seq of the last event applied to it.
    pub seq: u64,
}

pub(crate) type MemoriesState = Records<Memory>;

impl Record for Memory {
    fn id(&self) -> u64 {
        self.id
    }

    fn touch(&mut self, at: Applied) {
        self.updated_at_nanos = at.ts_nanos;
        self.seq = at.seq;
    }
}

#[derive(Debug)]
pub(crate) enum MemoryEvent {
    Stored { id: u64, content: String, tags: Vec<String>, created_at: u64 },
    Tagged { id: u64, tag: String },
    Untagged { id: u64, tag: String },
    Pinned { id: u64, pinned: bool },
    Deleted { id: u64 },
}

const STORED: u8 = 1;
const TAGGED: u8 = 2;
const UNTAGGED: u8 = 3;
const PINNED: u8 = 4;
const DELETED: u8 = 5;

pub(crate) struct MemoriesModel;

impl Model for MemoriesModel {
    type State = MemoriesState;
    type Event = MemoryEvent;
    const NAME: &'static str = "memories";

    fn encode(event: &MemoryEvent, origin: u64, out: &mut Vec<u8>) {
        match event {
            MemoryEvent::Stored { id, content, tags, created_at } => {
                Writer::header(out, STORED, origin).u64(*id).str(content).strs(tags).u64(*created_at);
            }
            MemoryEvent::Tagged { id, tag } => {
                Writer::header(out, TAGGED, origin).u64(*id).str(tag);
            }
            MemoryEvent::Untagged { id, tag } => {
                Writer::header(out, UNTAGGED, origin).u64(*id).str(tag);
            }
            MemoryEvent::Pinned { id, pinned } => {
                Writer::header(out, PINNED, origin).u64(*id).u8(*pinned as u8);
            }
            MemoryEvent::Deleted { id } => {
                Writer::header(out, DELETED, origin).u64(*id);
            }
        }
    }

    fn decode(bytes: &[u8]) -> Result<(u64, MemoryEvent), String> {
        let (kind, origin, mut r) = Reader::open(bytes)?;
        let event = match kind {
            STORED => MemoryEvent::Stored { id: r.u64()?, content: r.str()?, tags: r.strs()?, created_at: r.u64()? },
            TAGGED => MemoryEvent::Tagged { id: r.u64()?, tag: r.str()? },
            UNTAGGED => MemoryEvent::Untagged { id: r.u64()?, tag: r.str()? },
            PINNED => MemoryEvent::Pinned {
                id: r.u64()?,
                pinned: match r.u8()? {
                    0 => false,
                    1 => true,
                    other => return Err(format!("pinned flag must be 0 or 1, got {other}")),
                },
            },
            DELETED => MemoryEvent::Deleted { id: r.u64()? },
            other => return Err(format!("unknown memory event kind {other}")),
        };
        r.finish()?;
        Ok((origin, event))
    }

    fn apply(state: &mut MemoriesState, at: Applied, event: MemoryEvent) {
        match event {
            MemoryEvent::Stored { id, content, mut tags, created_at } => {
                tags.sort();
                tags.dedup();
                state.entry(id).or_insert(Memory {
                    id,
                    content,
                    tags,
                    pinned: false,
                    created_at,
                    updated_at_nanos: at.ts_nanos,
                    origin: at.origin,
                    seq: at.seq,
                });
            }
            MemoryEvent::Tagged { id, tag } => update_existing(state, id, at, |m| {
                if let Err(pos) = m.tags.binary_search(&tag) {
                    m.tags.insert(pos, tag);
                }
            }),
            MemoryEvent::Untagged { id, tag } => update_existing(state, id, at, |m| {
                if let Ok(pos) = m.tags.binary_search(&tag) {
                    m.tags.remove(pos);
                }
            }),
            MemoryEvent::Pinned { id, pinned } => update_existing(state, id, at, |m| m.pinned = pinned),
            MemoryEvent::Deleted { id } => {
                state.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_and_tags_stay_sorted() {
        let mut state = MemoriesState::new();
        let events = [
            MemoryEvent::Stored { id: 3, content: "c".into(), tags: vec!["b".into(), "a".into(), "b".into()], created_at: 1 },
            MemoryEvent::Tagged { id: 3, tag: "aa".into() },
            MemoryEvent::Untagged { id: 3, tag: "b".into() },
            MemoryEvent::Pinned { id: 3, pinned: true },
        ];
        for (seq, e) in events.into_iter().enumerate() {
            let mut out = Vec::new();
            MemoriesModel::encode(&e, 4, &mut out);
            let (origin, back) = MemoriesModel::decode(&out).unwrap();
            MemoriesModel::apply(&mut state, Applied { seq: seq as u64, ts_nanos: 0, origin }, back);
        }
        let m = &state[&3];
        assert_eq!((m.tags.clone(), m.pinned, m.seq, m.origin), (vec!["a".to_string(), "aa".into()], true, 3, 4));
        let mut bad = Vec::new();
        MemoriesModel::encode(&MemoryEvent::Pinned { id: 3, pinned: true }, 0, &mut bad);
        *bad.last_mut().unwrap() = 2;
        assert!(MemoriesModel::decode(&bad).unwrap_err().contains("pinned flag"));
    }
}
