//! The memories model: store, tag, untag, pin, unpin, delete; filtered
//! queries and watches.

mod adapter;
mod filter;
mod model;

pub(crate) use model::{MemoriesModel, MemoriesState};
pub use adapter::{MemoriesAdapter, MemoriesWatcher, MEMORIES_FILE};
pub use filter::{MemoryFilter, MemoryOrder};
pub use model::Memory;
