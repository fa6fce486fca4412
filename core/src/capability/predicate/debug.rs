//! [`PredicateDebugReport`]: per-clause statistics of a predicate over a
//! corpus of contexts, with short-circuit accounting, and
//! [`redact_metadata_keys`] to scrub metadata values before persisting.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ast::Predicate;
use super::eval::{ClauseInfo, EvalContext, Verdict};

/// What [`redact_metadata_keys`] writes in place of a value.
pub const REDACTED: &str = "<redacted>";

/// One clause's counts over a corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseStats {
    /// Which clause.
    #[serde(flatten)]
    pub clause: ClauseInfo,
    /// Contexts in which it was evaluated.
    pub evaluated: u64,
    /// ... and held.
    pub true_count: u64,
    /// ... and did not hold.
    pub false_count: u64,
    /// Contexts in which a short-circuit skipped it.
    pub skipped: u64,
}

/// A predicate profiled across a corpus.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PredicateDebugReport {
    /// Contexts evaluated.
    pub total: u64,
    /// Contexts the whole predicate matched.
    pub matched: u64,
    /// Every clause, in pre-order (as in a trace).
    pub clauses: Vec<ClauseStats>,
}

impl PredicateDebugReport {
    /// Evaluate `predicate` against every context of `corpus`.
    pub fn from_evaluations<'a>(predicate: &Predicate, corpus: impl IntoIterator<Item = EvalContext<'a>>) -> Self {
        let mut report = Self::default();
        for ctx in corpus {
            let (result, trace) = predicate.evaluate_with_trace(&ctx);
            if report.clauses.is_empty() {
                report.clauses = trace
                    .clauses
                    .iter()
                    .map(|c| ClauseStats { clause: c.clause.clone(), evaluated: 0, true_count: 0, false_count: 0, skipped: 0 })
                    .collect();
            }
            report.total += 1;
            report.matched += u64::from(result);
            for (stats, c) in report.clauses.iter_mut().zip(&trace.clauses) {
                match c.verdict {
                    Verdict::True => {
                        stats.evaluated += 1;
                        stats.true_count += 1;
                    }
                    Verdict::False => {
                        stats.evaluated += 1;
                        stats.false_count += 1;
                    }
                    Verdict::Skipped => stats.skipped += 1,
                }
            }
        }
        report
    }

    /// This report with the expected values of `metadata_equals` clauses
    /// on any of `keys` replaced by [`REDACTED`].
    pub fn redact_metadata_keys(&self, keys: &[&str]) -> Self {
        redact_metadata_keys(self, keys)
    }

    /// A plain-text table, one clause per line (TS `renderDebugReport`).
    pub fn render(&self) -> String {
        self.to_string()
    }
}

/// `report` with the expected values of `metadata_equals` clauses on any
/// of `keys` replaced by [`REDACTED`], so it can be stored or shared.
pub fn redact_metadata_keys(report: &PredicateDebugReport, keys: &[&str]) -> PredicateDebugReport {
    let mut out = report.clone();
    for c in &mut out.clauses {
        let hit = c.clause.op == "metadata_equals" && c.clause.subject.as_deref().is_some_and(|k| keys.contains(&k));
        if hit {
            c.clause.expected = Some(REDACTED.to_owned());
        }
    }
    out
}

impl fmt::Display for PredicateDebugReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "matched {}/{}", self.matched, self.total)?;
        for c in &self.clauses {
            let depth = c.clause.id.matches('.').count();
            writeln!(
                f,
                "{:indent$}{}  true {} false {} skipped {}",
                "",
                c.clause.describe(),
                c.true_count,
                c.false_count,
                c.skipped,
                indent = depth * 2
            )?;
        }
        Ok(())
    }
}
