//! [`CapabilitySetDiff`]: what changed between two snapshots of a set.
//!
//! JSON: `{"added_tags": [...], "removed_tags": [...], "metadata": [
//! {"kind": "added", "key", "value"} | {"kind": "removed", "key", "value"} |
//! {"kind": "changed", "key", "old", "new"} ]}` — tags in the order of
//! the set they come from, metadata changes by key.

use serde::{Deserialize, Serialize};

use super::set::CapabilitySet;

/// One metadata entry that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MetadataChange {
    /// A key that is new.
    Added {
        /// The key.
        key: String,
        /// Its value.
        value: String,
    },
    /// A key that is gone.
    Removed {
        /// The key.
        key: String,
        /// Its former value.
        value: String,
    },
    /// A key whose value changed.
    Changed {
        /// The key.
        key: String,
        /// The former value.
        old: String,
        /// The new value.
        new: String,
    },
}

impl MetadataChange {
    /// The key concerned.
    pub fn key(&self) -> &str {
        match self {
            Self::Added { key, .. } | Self::Removed { key, .. } | Self::Changed { key, .. } => key,
        }
    }
}

/// The difference from a previous set to the current one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CapabilitySetDiff {
    /// Tags in the current set only.
    pub added_tags: Vec<String>,
    /// Tags in the previous set only.
    pub removed_tags: Vec<String>,
    /// Metadata entries that differ, by key.
    pub metadata: Vec<MetadataChange>,
}

impl CapabilitySetDiff {
    /// The change from `prev` to `next`.
    pub fn between(prev: &CapabilitySet, next: &CapabilitySet) -> Self {
        let added_tags = next.tags().iter().filter(|t| !prev.tags().contains(t)).map(|t| t.to_string()).collect();
        let removed_tags = prev.tags().iter().filter(|t| !next.tags().contains(t)).map(|t| t.to_string()).collect();
        let mut metadata = Vec::new();
        let (old, new) = (prev.metadata(), next.metadata());
        let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let change = match (old.get(key), new.get(key)) {
                (None, Some(v)) => MetadataChange::Added { key: key.clone(), value: v.clone() },
                (Some(v), None) => MetadataChange::Removed { key: key.clone(), value: v.clone() },
                (Some(a), Some(b)) if a != b => MetadataChange::Changed { key: key.clone(), old: a.clone(), new: b.clone() },
                _ => continue,
            };
            metadata.push(change);
        }
        Self { added_tags, removed_tags, metadata }
    }

    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added_tags.is_empty() && self.removed_tags.is_empty() && self.metadata.is_empty()
    }
}

impl CapabilitySet {
    /// What changed from `prev` to `self`.
    pub fn diff(&self, prev: &CapabilitySet) -> CapabilitySetDiff {
        CapabilitySetDiff::between(prev, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_report_tags_and_metadata() {
        let prev = CapabilitySet::new().add_tag("a").add_tag("b").with_metadata("k", "1").with_metadata("gone", "x");
        let next = CapabilitySet::new().add_tag("b").add_tag("c").with_metadata("k", "2").with_metadata("new", "y");
        let d = next.diff(&prev);
        assert_eq!(d.added_tags, ["c"]);
        assert_eq!(d.removed_tags, ["a"]);
        assert_eq!(
            d.metadata,
            [
                MetadataChange::Removed { key: "gone".into(), value: "x".into() },
                MetadataChange::Changed { key: "k".into(), old: "1".into(), new: "2".into() },
                MetadataChange::Added { key: "new".into(), value: "y".into() },
            ]
        );
        assert!(next.diff(&next).is_empty());
        assert_eq!(
            serde_json::to_string(&d.metadata[1]).unwrap(),
            r#"{"kind":"changed","key":"k","old":"1","new":"2"}"#
        );
    }
}
