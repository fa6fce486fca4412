//! The tasks model: [`Task`], [`TaskStatus`], its events and their fold.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::cortex::codec::{Reader, Writer};
use crate::cortex::fold::{Applied, Model};
use crate::cortex::record::{update_existing, Record, Records};

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Pending,
    InProgress,
    Completed,
    Cancelled,
}

impl TaskStatus {
    /// The wire and JSON spelling (`"pending"`, `"in_progress"`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    fn code(self) -> u8 {
        match self {
            Self::Pending => 0,
            Self::InProgress => 1,
            Self::Completed => 2,
            Self::Cancelled => 3,
        }
    }

    fn from_code(code: u8) -> Result<Self, String> {
        Ok(match code {
            0 => Self::Pending,
            1 => Self::InProgress,
            2 => Self::Completed,
            3 => Self::Cancelled,
            other => return Err(format!("unknown task status code {other}")),
        })
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        [Self::Pending, Self::InProgress, Self::Completed, Self::Cancelled]
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown task status {s:?} (pending, in_progress, completed, cancelled)"))
    }
}

/// A task as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: u64,
    pub title: String,
    pub status: TaskStatus,
    /// The creation time the producer gave to `create` (its own unit).
    pub created_at: u64,
    /// When the last event touching the task was appended (ns since the
    /// Unix epoch, from the log, so a replay gives the same value).
    pub updated_at_nanos: u64,
    /// Origin hash of the producer that created it.
    pub origin: u64,
    /// Seq of the last event applied to it.
    pub seq: u64,
}

/// The tasks of a model, by id.
pub(crate) type TasksState = Records<Task>;

impl Record for Task {
    fn id(&self) -> u64 {
        self.id
    }

    fn touch(&mut self, at: Applied) {
        self.updated_at_nanos = at.ts_nanos;
        self.seq = at.seq;
    }
}

#[derive(Debug)]
pub(crate) enum TaskEvent {
    Created { id: u64, title: String, created_at: u64 },
    Renamed { id: u64, title: String },
    StatusSet { id: u64, status: TaskStatus },
    Deleted { id: u64 },
}

const CREATED: u8 = 1;
const RENAMED: u8 = 2;
const STATUS_SET: u8 = 3;
const DELETED: u8 = 4;

pub(crate) struct TasksModel;

impl Model for TasksModel {
    type State = TasksState;
    type Event = TaskEvent;
    const NAME: &'static str = "tasks";

    fn encode(event: &TaskEvent, origin: u64, out: &mut Vec<u8>) {
        match event {
            TaskEvent::Created { id, title, created_at } => {
                Writer::header(out, CREATED, origin).u64(*id).str(title).u64(*created_at);
            }
            TaskEvent::Renamed { id, title } => {
                Writer::header(out, RENAMED, origin).u64(*id).str(title);
            }
            TaskEvent::StatusSet { id, status } => {
                Writer::header(out, STATUS_SET, origin).u64(*id).u8(status.code());
            }
            TaskEvent::Deleted { id } => {
                Writer::header(out, DELETED, origin).u64(*id);
            }
        }
    }

    fn decode(bytes: &[u8]) -> Result<(u64, TaskEvent), String> {
        let (kind, origin, mut r) = Reader::open(bytes)?;
        let event = match kind {
            CREATED => TaskEvent::Created { id: r.u64()?, title: r.str()?, created_at: r.u64()? },
            RENAMED => TaskEvent::Renamed { id: r.u64()?, title: r.str()? },
            STATUS_SET => TaskEvent::StatusSet { id: r.u64()?, status: TaskStatus::from_code(r.u8()?)? },
            DELETED => TaskEvent::Deleted { id: r.u64()? },
            other => return Err(format!("unknown task event kind {other}")),
        };
        r.finish()?;
        Ok((origin, event))
    }

    fn apply(state: &mut TasksState, at: Applied, event: TaskEvent) {
        match event {
            TaskEvent::Created { id, title, created_at } => {
                state.entry(id).or_insert(Task {
                    id,
                    title,
                    status: TaskStatus::Pending,
                    created_at,
                    updated_at_nanos: at.ts_nanos,
                    origin: at.origin,
                    seq: at.seq,
                });
            }
            TaskEvent::Renamed { id, title } => update_existing(state, id, at, |t| t.title = title),
            TaskEvent::StatusSet { id, status } => update_existing(state, id, at, |t| t.status = status),
            TaskEvent::Deleted { id } => {
                state.remove(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_and_garbage_is_refused() {
        let events = [
            TaskEvent::Created { id: 1, title: "write docs".into(), created_at: 5 },
            TaskEvent::Renamed { id: 1, title: "ship docs".into() },
            TaskEvent::StatusSet { id: 1, status: TaskStatus::Completed },
            TaskEvent::Deleted { id: 1 },
        ];
        let mut state = TasksState::new();
        for (seq, e) in events.into_iter().enumerate() {
            let mut out = Vec::new();
            TasksModel::encode(&e, 9, &mut out);
            let (origin, back) = TasksModel::decode(&out).unwrap();
            assert_eq!(origin, 9);
            TasksModel::apply(&mut state, Applied { seq: seq as u64, ts_nanos: 100 + seq as u64, origin }, back);
            if seq == 2 {
                let t = &state[&1];
                assert_eq!((t.title.as_str(), t.status, t.seq, t.updated_at_nanos), ("ship docs", TaskStatus::Completed, 2, 102));
            }
        }
        assert!(state.is_empty());
        assert!(TasksModel::decode(&[1, 99, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap_err().contains("kind 99"));
        let mut bad_status = Vec::new();
        TasksModel::encode(&TaskEvent::StatusSet { id: 1, status: TaskStatus::Pending }, 0, &mut bad_status);
        *bad_status.last_mut().unwrap() = 7;
        assert!(TasksModel::decode(&bad_status).unwrap_err().contains("status code 7"));
        assert_eq!("in_progress".parse::<TaskStatus>().unwrap(), TaskStatus::InProgress);
        assert!("done".parse::<TaskStatus>().is_err());
    }
}
