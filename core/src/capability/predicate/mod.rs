//! Predicates over capability sets: an AST with a JSON wire form
//! ([`ast`]), evaluation with optional per-clause traces ([`eval`]),
//! corpus profiling ([`debug`]) and the `net-where` RPC header ([`header`]).
//!
//! ```
//! use std::collections::BTreeMap;
//! use net_sdk::capabilities::{pred, CapabilitySet, HardwareCapabilities};
//! use net_sdk::capabilities::predicate::{EvalContext, predicate_to_rpc_header, predicate_from_rpc_headers};
//!
//! let caps = CapabilitySet::new()
//!     .with_hardware(HardwareCapabilities::new().with_memory(128))
//!     .add_tag("hardware.gpu")
//!     .with_metadata("intent", "ml-training");
//! let p = pred!(and [
//!     pred!(exists "hardware.gpu"),
//!     pred!(num_at_least "hardware.memory_gb", 64.0),
//!     pred!(metadata_equals "intent", "ml-training"),
//! ]);
//! assert!(p.evaluate(&EvalContext::from_set(&caps)));
//! let header = predicate_to_rpc_header(&p).unwrap();
//! let back = predicate_from_rpc_headers(&[header]).unwrap().unwrap();
//! assert_eq!(back, p);
//! ```

mod ast;
mod debug;
mod eval;
mod header;

pub use ast::{Path, Predicate, MAX_PREDICATE_DEPTH, MAX_PREDICATE_NODES};
pub use debug::{redact_metadata_keys, ClauseStats, PredicateDebugReport, REDACTED};
pub use eval::{ClauseInfo, ClauseTrace, EvalContext, PredicateTrace, Verdict};
pub use header::{
    predicate_from_rpc_header, predicate_from_rpc_headers, predicate_to_rpc_header, MAX_WHERE_HEADER_LEN,
    RPC_WHERE_HEADER,
};

/// Build a [`Predicate`]:
///
/// ```text
/// pred!(and [p, q, ...])              pred!(or [p, q, ...])        pred!(not p)
/// pred!(exists "path")                pred!(equals "path", "value")
/// pred!(num_at_least "path", 64.0)    pred!(num_at_most "path", 8.0)
/// pred!(num_between "path", 1.0, 4.0) pred!(metadata_equals "key", "value")
/// pred!(tag_prefix "model:")
/// ```
#[macro_export]
macro_rules! pred {
    (and [$($p:expr),* $(,)?]) => { $crate::capabilities::predicate::Predicate::and(vec![$($p),*]) };
    (or [$($p:expr),* $(,)?]) => { $crate::capabilities::predicate::Predicate::or(vec![$($p),*]) };
    (not $p:expr) => { $crate::capabilities::predicate::Predicate::not($p) };
    (exists $path:expr) => { $crate::capabilities::predicate::Predicate::exists($path) };
    (equals $path:expr, $v:expr) => { $crate::capabilities::predicate::Predicate::equals($path, $v) };
    (num_at_least $path:expr, $v:expr) => { $crate::capabilities::predicate::Predicate::at_least($path, $v) };
    (num_at_most $path:expr, $v:expr) => { $crate::capabilities::predicate::Predicate::at_most($path, $v) };
    (num_between $path:expr, $lo:expr, $hi:expr) => {
        $crate::capabilities::predicate::Predicate::between($path, $lo, $hi)
    };
    (metadata_equals $k:expr, $v:expr) => { $crate::capabilities::predicate::Predicate::metadata_equals($k, $v) };
    (tag_prefix $p:expr) => { $crate::capabilities::predicate::Predicate::tag_prefix($p) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::CapabilitySet;

    fn caps() -> CapabilitySet {
        CapabilitySet::new()
            .add_tag("hardware.gpu")
            .add_tag("hardware.memory_gb=64")
            .add_tag("software.os=linux")
            .add_tag("model:llama3-70b")
            .with_metadata("intent", "ml-training")
    }

    #[test]
    fn every_op_evaluates() {
        let c = caps();
        let ctx = EvalContext::from_set(&c);
        let yes = [
            pred!(exists "hardware.gpu"),
            pred!(equals "software.os", "linux"),
            pred!(num_at_least "hardware.memory_gb", 64.0),
            pred!(num_at_most "hardware.memory_gb", 64.0),
            pred!(num_between "hardware.memory_gb", 1.0, 100.0),
            pred!(metadata_equals "intent", "ml-training"),
            pred!(tag_prefix "model:"),
            pred!(not pred!(exists "hardware.tpu")),
            pred!(and []),
            pred!(or [pred!(exists "x"), pred!(exists "model:llama3-70b")]),
        ];
        for p in &yes {
            assert!(p.evaluate(&ctx), "{p:?}");
            assert!(!Predicate::not(p.clone()).evaluate(&ctx), "{p:?}");
        }
        let no = [
            pred!(exists "hardware"),
            pred!(equals "software.os", "linu"),
            pred!(num_at_least "hardware.memory_gb", 64.5),
            pred!(num_at_least "software.os", 0.0),
            pred!(metadata_equals "intent", "other"),
            pred!(or []),
        ];
        for p in &no {
            assert!(!p.evaluate(&ctx), "{p:?}");
        }
    }

    #[test]
    fn traces_mark_short_circuited_children_skipped() {
        let c = caps();
        let ctx = EvalContext::from_set(&c);
        let p = pred!(and [pred!(exists "nope"), pred!(not pred!(exists "hardware.gpu")), pred!(exists "hardware.gpu")]);
        let (result, trace) = p.evaluate_with_trace(&ctx);
        assert!(!result);
        let got: Vec<_> = trace.clauses.iter().map(|c| (c.clause.id.as_str(), c.verdict)).collect();
        assert_eq!(
            got,
            [("0", Verdict::False), ("0.0", Verdict::False), ("0.1", Verdict::Skipped), ("0.1.0", Verdict::Skipped), ("0.2", Verdict::Skipped)]
        );
        let o = pred!(or [pred!(exists "hardware.gpu"), pred!(exists "x")]);
        let (r, t) = o.evaluate_with_trace(&ctx);
        assert!(r);
        assert_eq!(t.verdict("0.1"), Some(Verdict::Skipped));
    }

    #[test]
    fn debug_reports_count_and_redact() {
        let a = caps();
        let b = CapabilitySet::new().with_metadata("intent", "serving");
        let p = pred!(and [pred!(metadata_equals "intent", "ml-training"), pred!(exists "hardware.gpu")]);
        let report = PredicateDebugReport::from_evaluations(&p, [EvalContext::from_set(&a), EvalContext::from_set(&b)]);
        assert_eq!((report.total, report.matched), (2, 1));
        assert_eq!((report.clauses[1].true_count, report.clauses[1].false_count), (1, 1));
        assert_eq!((report.clauses[2].evaluated, report.clauses[2].skipped), (1, 1));
        let safe = redact_metadata_keys(&report, &["intent"]);
        assert_eq!(safe.clauses[1].clause.expected.as_deref(), Some(REDACTED));
        assert!(!safe.render().contains("ml-training"));
        assert!(report.render().contains("ml-training"));
    }

    #[test]
    fn wire_form_is_canonical_and_checked() {
        let p = pred!(and [pred!(num_at_least "hardware.memory_gb", 64.0), pred!(num_between "x", 0.5, 2.0)]);
        assert_eq!(
            p.to_json().unwrap(),
            r#"{"op":"and","clauses":[{"op":"num_at_least","path":"hardware.memory_gb","value":64},{"op":"num_between","path":"x","min":0.5,"max":2}]}"#
        );
        assert_eq!(Predicate::from_json(&p.to_json().unwrap()).unwrap(), p);
        for bad in [r#"{"op":"exists"}"#, r#"{"op":"nope","path":"x"}"#, r#"{"op":"exists","path":"x","extra":1}"#, "[]"] {
            assert_eq!(Predicate::from_json(bad).unwrap_err().kind(), "invalid_predicate", "{bad}");
        }
        assert!(pred!(num_at_least "x", f64::NAN).to_json().is_err());
        assert!(pred!(num_between "x", 2.0, 1.0).check().is_err());
        let mut deep = pred!(exists "x");
        for _ in 0..MAX_PREDICATE_DEPTH {
            deep = pred!(not deep);
        }
        assert!(Predicate::from_json(&serde_json::to_string(&deep).unwrap()).is_err());
        assert_eq!(predicate_from_rpc_header(b"!!").unwrap_err().kind(), "invalid_header");
        assert_eq!(predicate_from_rpc_header(b"e30").unwrap_err().kind(), "invalid_header");
        let none: [(String, Vec<u8>); 0] = [];
        assert!(predicate_from_rpc_headers(&none).is_none());
        let (name, value) = predicate_to_rpc_header(&p).unwrap();
        let got = predicate_from_rpc_headers(&[("NET-WHERE".to_owned(), value)]).unwrap().unwrap();
        assert_eq!((name.as_str(), got), (RPC_WHERE_HEADER, p));
    }
}
