//! The predicate AST and its JSON wire form.
//!
//! Every node is an object whose first key is `op`; keys follow in the
//! order below; numbers with an integral value are written as integers
//! (`64`, not `64.0`), others in the shortest form that round-trips:
//!
//! ```text
//! {"op":"and","clauses":[...]}            {"op":"or","clauses":[...]}
//! {"op":"not","clause":{...}}
//! {"op":"exists","path":"hardware.gpu"}
//! {"op":"equals","path":"software.os","value":"linux"}
//! {"op":"num_at_least","path":"hardware.memory_gb","value":64}
//! {"op":"num_at_most","path":"...","value":8}
//! {"op":"num_between","path":"...","min":1,"max":4}
//! {"op":"metadata_equals","key":"intent","value":"ml-training"}
//! {"op":"tag_prefix","prefix":"model:"}
//! ```
//! A `path` is a tag path: `<axis>.<key>` or a free tag.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::capabilities::tag::path_hash;
use crate::capabilities::CapabilityError;

/// Deepest nesting a decoded predicate may have.
pub const MAX_PREDICATE_DEPTH: usize = 32;
/// Most nodes a decoded predicate may have.
pub const MAX_PREDICATE_NODES: usize = 512;

/// A tag path a predicate tests, with its hash cached.
#[derive(Clone)]
pub struct Path {
    text: String,
    hash: u64,
}

impl Path {
    /// The path `text` (`hardware.memory_gb`, `gpu`).
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let hash = path_hash(&text);
        Self { text, hash }
    }

    /// The path text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    #[inline]
    pub(crate) fn hash(&self) -> u64 {
        self.hash
    }
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<&str> for Path {
    fn from(s: &str) -> Self {
        Path::new(s)
    }
}

impl From<String> for Path {
    fn from(s: String) -> Self {
        Path::new(s)
    }
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Path::new)
    }
}

/// Numbers of the wire form: integral values as integers.
mod num {
    use serde::Serializer;

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
            s.serialize_i64(*v as i64)
        } else {
            s.serialize_f64(*v)
        }
    }
}

/// A boolean test over a node's tags and metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Predicate {
    /// All clauses hold (true when empty); stops at the first false.
    And {
        /// The clauses.
        clauses: Vec<Predicate>,
    },
    /// Some clause holds (false when empty); stops at the first true.
    Or {
        /// The clauses.
        clauses: Vec<Predicate>,
    },
    /// The clause does not hold.
    Not {
        /// The negated clause.
        clause: Box<Predicate>,
    },
    /// Some tag has this path (with or without a value).
    Exists {
        /// Tag path.
        path: Path,
    },
    /// Some tag is exactly `path=value`.
    Equals {
        /// Tag path.
        path: Path,
        /// Expected value.
        value: String,
    },
    /// Some tag of this path has a numeric value `>= value`.
    #[serde(rename = "num_at_least")]
    AtLeast {
        /// Tag path.
        path: Path,
        /// Lower bound (inclusive).
        #[serde(serialize_with = "num::serialize")]
        value: f64,
    },
    /// Some tag of this path has a numeric value `<= value`.
    #[serde(rename = "num_at_most")]
    AtMost {
        /// Tag path.
        path: Path,
        /// Upper bound (inclusive).
        #[serde(serialize_with = "num::serialize")]
        value: f64,
    },
    /// Some tag of this path has a numeric value in `[min, max]`.
    #[serde(rename = "num_between")]
    Between {
        /// Tag path.
        path: Path,
        /// Lower bound (inclusive).
        #[serde(serialize_with = "num::serialize")]
        min: f64,
        /// Upper bound (inclusive).
        #[serde(serialize_with = "num::serialize")]
        max: f64,
    },
    /// The metadata entry `key` is exactly `value`.
    MetadataEquals {
        /// Metadata key.
        key: String,
        /// Expected value.
        value: String,
    },
    /// Some tag starts with `prefix`.
    TagPrefix {
        /// The prefix.
        prefix: String,
    },
}

impl Predicate {
    /// All of `clauses`.
    pub fn and(clauses: Vec<Predicate>) -> Self {
        Self::And { clauses }
    }

    /// Any of `clauses`.
    pub fn or(clauses: Vec<Predicate>) -> Self {
        Self::Or { clauses }
    }

    /// The negation of `clause`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(clause: Predicate) -> Self {
        Self::Not { clause: Box::new(clause) }
    }

    /// A tag with this path exists.
    pub fn exists(path: impl Into<Path>) -> Self {
        Self::Exists { path: path.into() }
    }

    /// The tag `path=value` exists.
    pub fn equals(path: impl Into<Path>, value: impl Into<String>) -> Self {
        Self::Equals { path: path.into(), value: value.into() }
    }

    /// A numeric tag of `path` is at least `value`.
    pub fn at_least(path: impl Into<Path>, value: f64) -> Self {
        Self::AtLeast { path: path.into(), value }
    }

    /// A numeric tag of `path` is at most `value`.
    pub fn at_most(path: impl Into<Path>, value: f64) -> Self {
        Self::AtMost { path: path.into(), value }
    }

    /// A numeric tag of `path` lies in `[min, max]`.
    pub fn between(path: impl Into<Path>, min: f64, max: f64) -> Self {
        Self::Between { path: path.into(), min, max }
    }

    /// Metadata `key` equals `value`.
    pub fn metadata_equals(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self::MetadataEquals { key: key.into(), value: value.into() }
    }

    /// Some tag starts with `prefix`.
    pub fn tag_prefix(prefix: impl Into<String>) -> Self {
        Self::TagPrefix { prefix: prefix.into() }
    }

    /// The `op` name of this node.
    pub fn op(&self) -> &'static str {
        match self {
            Self::And { .. } => "and",
            Self::Or { .. } => "or",
            Self::Not { .. } => "not",
            Self::Exists { .. } => "exists",
            Self::Equals { .. } => "equals",
            Self::AtLeast { .. } => "num_at_least",
            Self::AtMost { .. } => "num_at_most",
            Self::Between { .. } => "num_between",
            Self::MetadataEquals { .. } => "metadata_equals",
            Self::TagPrefix { .. } => "tag_prefix",
        }
    }

    /// The direct children (clauses of and/or, the clause of not).
    pub fn children(&self) -> &[Predicate] {
        match self {
            Self::And { clauses } | Self::Or { clauses } => clauses,
            Self::Not { clause } => std::slice::from_ref(clause.as_ref()),
            _ => &[],
        }
    }

    /// Check the limits a wire predicate must respect: depth, node count,
    /// finite numbers, `min <= max`.
    pub fn check(&self) -> Result<(), CapabilityError> {
        let mut nodes = 0;
        self.check_at(1, &mut nodes)
    }

    fn check_at(&self, depth: usize, nodes: &mut usize) -> Result<(), CapabilityError> {
        *nodes += 1;
        if depth > MAX_PREDICATE_DEPTH {
            return Err(CapabilityError::Predicate(format!("nested deeper than {MAX_PREDICATE_DEPTH}")));
        }
        if *nodes > MAX_PREDICATE_NODES {
            return Err(CapabilityError::Predicate(format!("more than {MAX_PREDICATE_NODES} nodes")));
        }
        let finite = |x: f64| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(CapabilityError::Predicate(format!("{} needs finite numbers", self.op())))
            }
        };
        match self {
            Self::AtLeast { value, .. } | Self::AtMost { value, .. } => finite(*value)?,
            Self::Between { min, max, .. } => {
                finite(*min)?;
                finite(*max)?;
                if min > max {
                    return Err(CapabilityError::Predicate(format!("num_between with min {min} > max {max}")));
                }
            }
            _ => {}
        }
        self.children().iter().try_for_each(|c| c.check_at(depth + 1, nodes))
    }

    /// The canonical compact JSON (see the module doc). Fails on a
    /// predicate [`check`](Self::check) refuses.
    pub fn to_json(&self) -> Result<String, CapabilityError> {
        self.check()?;
        serde_json::to_string(self).map_err(|e| CapabilityError::Predicate(e.to_string()))
    }

    /// Parse and [`check`](Self::check) the JSON form.
    pub fn from_json(text: &str) -> Result<Self, CapabilityError> {
        let p: Predicate = serde_json::from_str(text).map_err(|e| CapabilityError::Predicate(e.to_string()))?;
        p.check()?;
        Ok(p)
    }
}
