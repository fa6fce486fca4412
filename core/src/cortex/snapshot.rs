//! Snapshots: one model's folded state and the seq it covers
//! ([`TasksSnapshot`], [`MemoriesSnapshot`], restored by
//! [`TasksAdapter::open_from_snapshot`](super::TasksAdapter::open_from_snapshot)
//! and its memories twin), and [`NetDbSnapshot`], the bundle of every
//! model's snapshot that
//! [`NetDbBuilder::build_from_snapshot`](super::NetDbBuilder::build_from_snapshot)
//! restores.
//!
//! One encoding, JSON with format numbers. A model snapshot:
//!
//! ```text
//! {"format":1,"model":"tasks","next_seq":7,"tasks":[{"id":1,...},...]}
//! ```
//!
//! A bundle carries exactly those, one per model (`null` for a model the
//! NetDb does not have):
//!
//! ```text
//! {"format":2,"tasks":<tasks snapshot>,"memories":<memories snapshot>}
//! ```
//!
//! Bundles of format 1, whose models had no `format` and `model` fields of
//! their own, still read.

use serde::de::DeserializeOwned;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::record::{Record, Records};
use super::{CortexError, Memory, NetDbError, Task};

/// Format of a model snapshot.
const MODEL_FORMAT: u64 = 1;
/// Format of a bundle of model snapshots.
const BUNDLE_FORMAT: u32 = 2;
/// The bundle format before model snapshots had their own header.
const LEGACY_BUNDLE_FORMAT: u64 = 1;

/// The tasks model's state and the seq it covers, from
/// [`TasksAdapter::snapshot`](super::TasksAdapter::snapshot); also the
/// tasks part of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TasksSnapshot {
    /// Every event below this seq is reflected in `tasks`.
    pub next_seq: u64,
    /// By id.
    pub tasks: Vec<Task>,
}

/// The memories model's state and the seq it covers, from
/// [`MemoriesAdapter::snapshot`](super::MemoriesAdapter::snapshot); also
/// the memories part of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoriesSnapshot {
    /// Every event below this seq is reflected in `memories`.
    pub next_seq: u64,
    /// By id.
    pub memories: Vec<Memory>,
}

/// A model's folded state and the seq of the next event to fold onto it.
pub(crate) type Base<R> = (Records<R>, u64);

/// What both model snapshots are: a model's name, its records and a seq.
/// Encoding, decoding and the conversions to and from a folded state are
/// written once over it.
pub(crate) trait ModelSnapshot: Sized {
    type Record: Record + Serialize + DeserializeOwned;
    /// The model's name: the `model` field, and the key of its records.
    const MODEL: &'static str;
    fn new(next_seq: u64, records: Vec<Self::Record>) -> Self;
    fn next_seq(&self) -> u64;
    fn records(&self) -> &[Self::Record];

    /// The snapshot of a folded state.
    fn of_state((state, next_seq): Base<Self::Record>) -> Self {
        Self::new(next_seq, state.into_values().collect())
    }

    /// The folded state it holds, to fold later events onto.
    fn base(&self) -> Base<Self::Record> {
        (self.records().iter().map(|r| (r.id(), r.clone())).collect(), self.next_seq())
    }
}

impl ModelSnapshot for TasksSnapshot {
    type Record = Task;
    const MODEL: &'static str = "tasks";

    fn new(next_seq: u64, tasks: Vec<Task>) -> Self {
        Self { next_seq, tasks }
    }

    fn next_seq(&self) -> u64 {
        self.next_seq
    }

    fn records(&self) -> &[Task] {
        &self.tasks
    }
}

impl ModelSnapshot for MemoriesSnapshot {
    type Record = Memory;
    const MODEL: &'static str = "memories";

    fn new(next_seq: u64, memories: Vec<Memory>) -> Self {
        Self { next_seq, memories }
    }

    fn next_seq(&self) -> u64 {
        self.next_seq
    }

    fn records(&self) -> &[Memory] {
        &self.memories
    }
}

fn encode<S: ModelSnapshot, Out: Serializer>(snapshot: &S, out: Out) -> Result<Out::Ok, Out::Error> {
    let mut s = out.serialize_struct("ModelSnapshot", 4)?;
    s.serialize_field("format", &MODEL_FORMAT)?;
    s.serialize_field("model", S::MODEL)?;
    s.serialize_field("next_seq", &snapshot.next_seq())?;
    s.serialize_field(S::MODEL, snapshot.records())?;
    s.end()
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("a snapshot serializes")
}

fn parse(bytes: &[u8]) -> Result<Value, NetDbError> {
    serde_json::from_slice(bytes).map_err(|e| NetDbError::Bundle(format!("does not parse: {e}")))
}

/// A model snapshot from its JSON value: the right model, a format this
/// version reads, a seq, and each id once.
fn decode<S: ModelSnapshot>(value: Value) -> Result<S, NetDbError> {
    let model = S::MODEL;
    let bad = |why: &str| NetDbError::Bundle(format!("not a {model} snapshot: {why}"));
    let Value::Object(mut fields) = value else { return Err(bad("not a JSON object")) };
    match fields.remove("model") {
        Some(Value::String(m)) if m == model => {}
        Some(Value::String(other)) => {
            return Err(NetDbError::Bundle(format!("a {other} snapshot, not a {model} snapshot")))
        }
        _ => return Err(bad("no \"model\" name")),
    }
    match fields.remove("format").as_ref().and_then(Value::as_u64) {
        Some(MODEL_FORMAT) => {}
        Some(other) => return Err(NetDbError::Bundle(format!("unknown {model} snapshot format {other}"))),
        None => return Err(bad("no \"format\" number")),
    }
    let next_seq = fields.remove("next_seq").as_ref().and_then(Value::as_u64).ok_or_else(|| bad("no \"next_seq\""))?;
    let records: Vec<S::Record> = serde_json::from_value(fields.remove(model).ok_or_else(|| bad("no records"))?)
        .map_err(|e| NetDbError::Bundle(format!("{model} snapshot: {e}")))?;
    if let Some(extra) = fields.keys().next() {
        return Err(bad(&format!("unexpected field {extra:?}")));
    }
    let mut ids: Vec<u64> = records.iter().map(Record::id).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(NetDbError::Bundle(format!("the {model} snapshot lists id {} twice", w[0])));
    }
    Ok(S::new(next_seq, records))
}

/// How a failed restore reads: a log that no longer holds the events after
/// the snapshot refuses the snapshot itself.
pub(crate) fn restore_error(e: NetDbError) -> NetDbError {
    match e {
        NetDbError::Cortex(CortexError::FoldHalted { model, seq, reason }) if reason.contains("evicted") => {
            NetDbError::Bundle(format!("the {model} log no longer holds the events after the snapshot (seq {seq}): {reason}"))
        }
        other => other,
    }
}

impl Serialize for TasksSnapshot {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        encode(self, out)
    }
}

impl Serialize for MemoriesSnapshot {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        encode(self, out)
    }
}

impl TasksSnapshot {
    /// The snapshot as bytes (JSON), for storing or sending.
    pub fn to_bytes(&self) -> Vec<u8> {
        json(self)
    }

    /// Parse a snapshot made by [`TasksSnapshot::to_bytes`].
    ///
    /// # Errors
    /// [`NetDbError::Bundle`] for bytes that are not JSON (garbage,
    /// truncated), another model's snapshot, a format this version does
    /// not read, or a snapshot listing an id twice.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NetDbError> {
        decode(parse(bytes)?)
    }
}

impl MemoriesSnapshot {
    /// The snapshot as bytes (JSON), for storing or sending.
    pub fn to_bytes(&self) -> Vec<u8> {
        json(self)
    }

    /// Parse a snapshot made by [`MemoriesSnapshot::to_bytes`]; errors as
    /// [`TasksSnapshot::from_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NetDbError> {
        decode(parse(bytes)?)
    }
}

/// A `NetDb`'s state: the snapshot of each of its models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetDbSnapshot {
    pub format: u32,
    pub tasks: Option<TasksSnapshot>,
    pub memories: Option<MemoriesSnapshot>,
}

/// The snapshot of model `S` in a bundle's fields, if it has one. A format
/// 1 bundle's models get the header they were written without.
fn bundled<S: ModelSnapshot>(fields: &mut Map<String, Value>, legacy: bool) -> Result<Option<S>, NetDbError> {
    match fields.remove(S::MODEL) {
        None | Some(Value::Null) => Ok(None),
        Some(mut value) => {
            if let (true, Value::Object(model)) = (legacy, &mut value) {
                model.entry("format").or_insert(MODEL_FORMAT.into());
                model.entry("model").or_insert(S::MODEL.into());
            }
            decode(value).map(Some)
        }
    }
}

impl NetDbSnapshot {
    /// A bundle of model snapshots (`None` for a model it leaves out).
    pub fn new(tasks: Option<TasksSnapshot>, memories: Option<MemoriesSnapshot>) -> Self {
        Self { format: BUNDLE_FORMAT, tasks, memories }
    }

    /// The bundle as bytes (JSON), for storing or sending.
    pub fn to_bytes(&self) -> Vec<u8> {
        json(self)
    }

    /// Parse a bundle made by [`NetDbSnapshot::to_bytes`].
    ///
    /// # Errors
    /// [`NetDbError::Bundle`] for bytes that are not a bundle, a format this
    /// version does not read, or a model snapshot
    /// [`TasksSnapshot::from_bytes`] would refuse.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NetDbError> {
        let Value::Object(mut fields) = parse(bytes)? else {
            return Err(NetDbError::Bundle("not a JSON object".into()));
        };
        let legacy = match fields.get("format").and_then(Value::as_u64) {
            Some(f) if f == u64::from(BUNDLE_FORMAT) => false,
            Some(LEGACY_BUNDLE_FORMAT) => true,
            Some(other) => return Err(NetDbError::Bundle(format!("unknown bundle format {other}"))),
            None => return Err(NetDbError::Bundle("no \"format\" number".into())),
        };
        Ok(Self::new(bundled(&mut fields, legacy)?, bundled(&mut fields, legacy)?))
    }
}
