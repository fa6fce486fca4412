//! [`NetDbSnapshot`]: every model's folded state and the seq it covers, as
//! one bundle (JSON with a format number) that
//! [`NetDbBuilder::build_from_snapshot`](super::NetDbBuilder::build_from_snapshot)
//! restores.

use serde::{Deserialize, Serialize};

use super::{Memory, NetDbError, Task};

const BUNDLE_FORMAT: u32 = 1;

/// The tasks part of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TasksSnapshot {
    /// Every event below this seq is reflected in `tasks`.
    pub next_seq: u64,
    /// By id.
    pub tasks: Vec<Task>,
}

/// The memories part of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoriesSnapshot {
    pub next_seq: u64,
    pub memories: Vec<Memory>,
}

/// A `NetDb`'s state, model by model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetDbSnapshot {
    pub format: u32,
    pub tasks: Option<TasksSnapshot>,
    pub memories: Option<MemoriesSnapshot>,
}

impl NetDbSnapshot {
    pub(crate) fn new(tasks: Option<TasksSnapshot>, memories: Option<MemoriesSnapshot>) -> Self {
        Self { format: BUNDLE_FORMAT, tasks, memories }
    }

    /// The bundle as bytes (JSON), for storing or sending.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a snapshot serializes")
    }

    /// Parse a bundle made by [`NetDbSnapshot::to_bytes`].
    ///
    /// # Errors
    /// [`NetDbError::Bundle`] for bytes that are not a bundle, a format this
    /// version does not read, or a model listing an id twice.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NetDbError> {
        let bundle: Self =
            serde_json::from_slice(bytes).map_err(|e| NetDbError::Bundle(format!("does not parse: {e}")))?;
        if bundle.format != BUNDLE_FORMAT {
            return Err(NetDbError::Bundle(format!("unknown bundle format {}", bundle.format)));
        }
        let dup = |ids: &mut Vec<u64>| {
            ids.sort_unstable();
            ids.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
        };
        if let Some(t) = &bundle.tasks {
            if let Some(id) = dup(&mut t.tasks.iter().map(|t| t.id).collect()) {
                return Err(NetDbError::Bundle(format!("task {id} appears twice")));
            }
        }
        if let Some(m) = &bundle.memories {
            if let Some(id) = dup(&mut m.memories.iter().map(|m| m.id).collect()) {
                return Err(NetDbError::Bundle(format!("memory {id} appears twice")));
            }
        }
        Ok(bundle)
    }
}
