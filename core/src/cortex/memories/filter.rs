//! [`MemoryFilter`]: which memories a query or watch returns, in what order.

use serde::{Deserialize, Serialize};

use super::model::Memory;
use crate::cortex::query::Query;

/// Result order of a memory query (ties broken by id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryOrder {
    #[default]
    IdAsc,
    IdDesc,
    CreatedAsc,
    CreatedDesc,
    UpdatedAsc,
    UpdatedDesc,
}

/// A memory query: every set condition must hold. JSON shape for the C ABI
/// and bindings: `{"tags_all":["a"],"tags_any":["b","c"],"content_contains":"x","pinned":true,"order":"updated_desc","limit":5}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryFilter {
    /// The memory carries every one of these tags.
    pub tags_all: Vec<String>,
    /// The memory carries at least one of these tags (ignored when empty).
    pub tags_any: Vec<String>,
    /// Case-sensitive substring of the content.
    pub content_contains: Option<String>,
    pub pinned: Option<bool>,
    /// Only memories stored by this origin hash.
    pub origin: Option<u64>,
    pub order: MemoryOrder,
    pub limit: Option<usize>,
}

impl MemoryFilter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Require `tag` (repeat for several: all are required).
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tags_all.push(tag.into());
        self
    }

    /// Require at least one of `tags`.
    pub fn with_any_tag<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags_any.extend(tags.into_iter().map(Into::into));
        self
    }

    pub fn content_contains(mut self, needle: impl Into<String>) -> Self {
        self.content_contains = Some(needle.into());
        self
    }

    pub fn where_pinned(mut self, pinned: bool) -> Self {
        self.pinned = Some(pinned);
        self
    }

    pub fn stored_by(mut self, origin: u64) -> Self {
        self.origin = Some(origin);
        self
    }

    pub fn order_by(mut self, order: MemoryOrder) -> Self {
        self.order = order;
        self
    }

    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    fn has(m: &Memory, tag: &String) -> bool {
        m.tags.binary_search(tag).is_ok()
    }

    /// Whether `m` passes the conditions (order and limit aside).
    pub fn matches(&self, m: &Memory) -> bool {
        self.tags_all.iter().all(|t| Self::has(m, t))
            && (self.tags_any.is_empty() || self.tags_any.iter().any(|t| Self::has(m, t)))
            && self.content_contains.as_deref().is_none_or(|n| m.content.contains(n))
            && self.pinned.is_none_or(|p| m.pinned == p)
            && self.origin.is_none_or(|o| m.origin == o)
    }
}

impl Query for MemoryFilter {
    type Record = Memory;

    fn selects(&self, m: &Memory) -> bool {
        self.matches(m)
    }

    fn sort(&self, memories: &mut [Memory]) {
        match self.order {
            MemoryOrder::IdAsc => {}
            MemoryOrder::IdDesc => memories.reverse(),
            MemoryOrder::CreatedAsc => memories.sort_by_key(|m| m.created_at),
            MemoryOrder::CreatedDesc => memories.sort_by_key(|m| std::cmp::Reverse(m.created_at)),
            MemoryOrder::UpdatedAsc => memories.sort_by_key(|m| m.updated_at_nanos),
            MemoryOrder::UpdatedDesc => memories.sort_by_key(|m| std::cmp::Reverse(m.updated_at_nanos)),
        }
    }

    fn max_results(&self) -> Option<usize> {
        self.limit
    }
}
