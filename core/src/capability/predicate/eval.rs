//! Evaluation: [`EvalContext`], `Predicate::evaluate` and
//! `Predicate::evaluate_with_trace`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ast::{Path, Predicate};
use crate::capabilities::{CapabilitySet, Tag};
use crate::capabilities::tag::{short_eq, short_starts_with};

/// What a predicate is evaluated against: tags and metadata.
#[derive(Debug, Clone, Copy)]
pub struct EvalContext<'a> {
    tags: &'a [Tag],
    metadata: &'a BTreeMap<String, String>,
}

impl<'a> EvalContext<'a> {
    /// A context of these tags and metadata.
    pub fn new(tags: &'a [Tag], metadata: &'a BTreeMap<String, String>) -> Self {
        Self { tags, metadata }
    }

    /// The context of a capability set.
    pub fn from_set(set: &'a CapabilitySet) -> Self {
        Self { tags: set.tags(), metadata: set.metadata() }
    }

    /// The tags.
    pub fn tags(&self) -> &'a [Tag] {
        self.tags
    }

    /// The metadata.
    pub fn metadata(&self) -> &'a BTreeMap<String, String> {
        self.metadata
    }

    #[inline]
    fn any_at(&self, path: &Path, mut test: impl FnMut(&Tag) -> bool) -> bool {
        let (p, h) = (path.as_str(), path.hash());
        self.tags.iter().any(|t| t.has_path(p, h) && test(t))
    }
}

impl<'a> From<&'a CapabilitySet> for EvalContext<'a> {
    fn from(set: &'a CapabilitySet) -> Self {
        Self::from_set(set)
    }
}

/// One clause's outcome in a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Evaluated, held.
    True,
    /// Evaluated, did not hold.
    False,
    /// Not evaluated: an earlier sibling decided its and/or.
    Skipped,
}

/// One node of a predicate in a trace or report: where it sits, what it tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseInfo {
    /// Position: `"0"` is the root, `"0.2"` its third child, and so on.
    pub id: String,
    /// The node's `op`.
    pub op: String,
    /// What it tests: the path, metadata key or prefix (none for and/or/not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The expected value or bound, rendered (none when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
}

impl ClauseInfo {
    pub(crate) fn of(id: String, p: &Predicate) -> Self {
        let (subject, expected) = match p {
            Predicate::And { .. } | Predicate::Or { .. } | Predicate::Not { .. } => (None, None),
            Predicate::Exists { path } => (Some(path.to_string()), None),
            Predicate::Equals { path, value } => (Some(path.to_string()), Some(value.clone())),
            Predicate::AtLeast { path, value } => (Some(path.to_string()), Some(format!(">= {value}"))),
            Predicate::AtMost { path, value } => (Some(path.to_string()), Some(format!("<= {value}"))),
            Predicate::Between { path, min, max } => (Some(path.to_string()), Some(format!("[{min}, {max}]"))),
            Predicate::MetadataEquals { key, value } => (Some(key.clone()), Some(value.clone())),
            Predicate::TagPrefix { prefix } => (Some(prefix.clone()), None),
        };
        Self { id, op: p.op().to_owned(), subject, expected }
    }

    /// One line: `0.1 num_at_least hardware.memory_gb >= 64`.
    pub fn describe(&self) -> String {
        let mut s = format!("{} {}", self.id, self.op);
        for part in [&self.subject, &self.expected].into_iter().flatten() {
            s.push(' ');
            s.push_str(part);
        }
        s
    }
}

/// One clause of a trace: the node and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseTrace {
    /// Which clause.
    #[serde(flatten)]
    pub clause: ClauseInfo,
    /// Its outcome.
    pub verdict: Verdict,
}

/// Every clause of one evaluation, in pre-order (a parent before its
/// children); children an and/or never reached are `Skipped`, with
/// their descendants.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PredicateTrace {
    /// The clauses.
    pub clauses: Vec<ClauseTrace>,
}

impl PredicateTrace {
    /// The verdict of clause `id`.
    pub fn verdict(&self, id: &str) -> Option<Verdict> {
        self.clauses.iter().find(|c| c.clause.id == id).map(|c| c.verdict)
    }
}

impl Predicate {
    /// Whether the predicate holds in `ctx`.
    pub fn evaluate(&self, ctx: &EvalContext<'_>) -> bool {
        match self {
            Self::And { clauses } => clauses.iter().all(|c| c.evaluate(ctx)),
            Self::Or { clauses } => clauses.iter().any(|c| c.evaluate(ctx)),
            Self::Not { clause } => !clause.evaluate(ctx),
            Self::Exists { path } => ctx.any_at(path, |_| true),
            Self::Equals { path, value } => {
                ctx.any_at(path, |t| t.value().is_some_and(|v| short_eq(v.as_bytes(), value.as_bytes())))
            }
            Self::AtLeast { path, value } => ctx.any_at(path, |t| t.number().is_some_and(|n| n >= *value)),
            Self::AtMost { path, value } => ctx.any_at(path, |t| t.number().is_some_and(|n| n <= *value)),
            Self::Between { path, min, max } => {
                ctx.any_at(path, |t| t.number().is_some_and(|n| n >= *min && n <= *max))
            }
            Self::MetadataEquals { key, value } => {
                ctx.metadata.get(key).is_some_and(|v| short_eq(v.as_bytes(), value.as_bytes()))
            }
            Self::TagPrefix { prefix } => {
                // The first byte rules out most tags without a call to memcmp.
                let p = prefix.as_bytes();
                match p.first() {
                    None => !ctx.tags.is_empty(),
                    Some(&first) => ctx.tags.iter().any(|t| {
                        let b = t.as_str().as_bytes();
                        b.first() == Some(&first) && short_starts_with(b, p)
                    }),
                }
            }
        }
    }

    /// [`evaluate`](Self::evaluate), recording every clause's verdict.
    pub fn evaluate_with_trace(&self, ctx: &EvalContext<'_>) -> (bool, PredicateTrace) {
        let mut trace = PredicateTrace::default();
        let result = self.trace_into("0".to_owned(), ctx, &mut trace);
        (result, trace)
    }

    fn trace_into(&self, id: String, ctx: &EvalContext<'_>, trace: &mut PredicateTrace) -> bool {
        let at = trace.clauses.len();
        trace.clauses.push(ClauseTrace { clause: ClauseInfo::of(id.clone(), self), verdict: Verdict::Skipped });
        let result = match self {
            Self::And { clauses } | Self::Or { clauses } => {
                let decisive = matches!(self, Self::Or { .. });
                let mut result = !decisive;
                let mut decided = false;
                for (i, c) in clauses.iter().enumerate() {
                    let child = format!("{id}.{i}");
                    if decided {
                        c.skip_into(child, trace);
                    } else if c.trace_into(child, ctx, trace) == decisive {
                        result = decisive;
                        decided = true;
                    }
                }
                result
            }
            Self::Not { clause } => !clause.trace_into(format!("{id}.0"), ctx, trace),
            leaf => leaf.evaluate(ctx),
        };
        trace.clauses[at].verdict = if result { Verdict::True } else { Verdict::False };
        result
    }

    fn skip_into(&self, id: String, trace: &mut PredicateTrace) {
        trace.clauses.push(ClauseTrace { clause: ClauseInfo::of(id.clone(), self), verdict: Verdict::Skipped });
        for (i, c) in self.children().iter().enumerate() {
            c.skip_into(format!("{id}.{i}"), trace);
        }
    }
}
