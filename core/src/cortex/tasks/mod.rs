//! The tasks model: create, rename, set status, complete, delete; filtered
//! queries and watches.

mod adapter;
mod filter;
mod model;

pub use adapter::{TasksAdapter, TasksWatcher, TASKS_FILE};
pub use filter::{TaskFilter, TaskOrder};
pub use model::{Task, TaskStatus};
pub(crate) use model::{TasksModel, TasksState};
