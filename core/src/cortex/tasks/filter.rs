//! [`TaskFilter`]: which tasks a query or watch returns, in what order.

use serde::{Deserialize, Serialize};

use super::model::{Task, TaskStatus};
use crate::cortex::query::Query;

/// Result order of a task query (ties broken by id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskOrder {
    #[default]
    IdAsc,
    IdDesc,
    CreatedAsc,
    CreatedDesc,
    UpdatedAsc,
    UpdatedDesc,
    TitleAsc,
}

/// A task query: every set condition must hold. The default matches every
/// task, ordered by id. Also the JSON shape the C ABI and bindings accept:
/// `{"status":"pending","title_contains":"docs","order":"created_desc","limit":10}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaskFilter {
    pub status: Option<TaskStatus>,
    /// Case-sensitive substring of the title.
    pub title_contains: Option<String>,
    /// Only tasks created by this origin hash.
    pub origin: Option<u64>,
    pub order: TaskOrder,
    pub limit: Option<usize>,
}

impl TaskFilter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn where_status(mut self, status: TaskStatus) -> Self {
        self.status = Some(status);
        self
    }

    pub fn title_contains(mut self, needle: impl Into<String>) -> Self {
        self.title_contains = Some(needle.into());
        self
    }

    pub fn created_by(mut self, origin: u64) -> Self {
        self.origin = Some(origin);
        self
    }

    pub fn order_by(mut self, order: TaskOrder) -> Self {
        self.order = order;
        self
    }

    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Whether `task` passes the conditions (order and limit aside).
    pub fn matches(&self, task: &Task) -> bool {
        self.status.is_none_or(|s| task.status == s)
            && self.title_contains.as_deref().is_none_or(|n| task.title.contains(n))
            && self.origin.is_none_or(|o| task.origin == o)
    }
}

impl Query for TaskFilter {
    type Record = Task;

    fn selects(&self, task: &Task) -> bool {
        self.matches(task)
    }

    fn sort(&self, tasks: &mut [Task]) {
        match self.order {
            TaskOrder::IdAsc => {}
            TaskOrder::IdDesc => tasks.reverse(),
            TaskOrder::CreatedAsc => tasks.sort_by_key(|t| t.created_at),
            TaskOrder::CreatedDesc => tasks.sort_by_key(|t| std::cmp::Reverse(t.created_at)),
            TaskOrder::UpdatedAsc => tasks.sort_by_key(|t| t.updated_at_nanos),
            TaskOrder::UpdatedDesc => tasks.sort_by_key(|t| std::cmp::Reverse(t.updated_at_nanos)),
            TaskOrder::TitleAsc => tasks.sort_by(|a, b| a.title.cmp(&b.title)),
        }
    }

    fn max_results(&self) -> Option<usize> {
        self.limit
    }
}
