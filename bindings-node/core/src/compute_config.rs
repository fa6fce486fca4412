//! The plain objects of the compute surface: `DaemonHostConfig` in,
//! `DaemonStats` and `CausalEvent` out (and in, for `deliver`).
//!
//! 64-bit counters, origins and sequences are `bigint`; the host config's
//! small numbers are JS numbers, checked to be whole before they reach the
//! core (a fractional or negative bound would be a silent truncation).

use bytes::Bytes;
use napi::bindgen_prelude::{BigInt, Buffer};
use napi_derive::napi;
use net_sdk::compute::{CausalEvent, DaemonHostConfig, DaemonStats};

use crate::error::{invalid, Result};
use crate::identity::u64_of;

/// How the runtime hosts one daemon; an omitted field takes the core's
/// default (manual snapshots, a 10 000-event log, a 60 s callback bound).
#[napi(object)]
pub struct JsDaemonHostConfig {
    /// Snapshot every this many processed events; `0n` = manual only.
    pub auto_snapshot_interval: Option<BigInt>,
    /// Events kept for replay since the last snapshot; 0 keeps none.
    pub max_log_entries: Option<f64>,
    /// The longest wait for a JS callback, in milliseconds (> 0).
    pub callback_timeout_ms: Option<f64>,
}

/// A whole number in `min..=2^53`, or a refusal naming the field.
fn whole(v: f64, min: f64, what: &str) -> Result<u64> {
    if v.is_finite() && v.fract() == 0.0 && v >= min && v <= 9_007_199_254_740_992.0 {
        Ok(v as u64)
    } else {
        Err(invalid(format!("{what} must be a whole number >= {min}, got {v}")))
    }
}

impl JsDaemonHostConfig {
    /// The core config: the defaults, overridden by the fields given.
    pub fn to_core(config: Option<JsDaemonHostConfig>) -> Result<DaemonHostConfig> {
        let mut out = DaemonHostConfig::default();
        let Some(c) = config else { return Ok(out) };
        if let Some(n) = &c.auto_snapshot_interval {
            out.auto_snapshot_interval = u64_of(n, "autoSnapshotInterval")?;
        }
        if let Some(n) = c.max_log_entries {
            out.max_log_entries = whole(n, 0.0, "maxLogEntries")? as usize;
        }
        if let Some(ms) = c.callback_timeout_ms {
            out.callback_timeout_ms = whole(ms, 1.0, "callbackTimeoutMs")?;
        }
        Ok(out)
    }
}

/// A daemon's counters since it was spawned.
#[napi(object)]
pub struct JsDaemonStats {
    pub events_processed: BigInt,
    pub events_emitted: BigInt,
    pub errors: BigInt,
    pub snapshots_taken: BigInt,
}

impl From<DaemonStats> for JsDaemonStats {
    fn from(s: DaemonStats) -> Self {
        JsDaemonStats {
            events_processed: BigInt::from(s.events_processed),
            events_emitted: BigInt::from(s.events_emitted),
            errors: BigInt::from(s.errors),
            snapshots_taken: BigInt::from(s.snapshots_taken),
        }
    }
}

/// An event as a daemon's `process` sees it, and as `deliver` takes it.
#[napi(object)]
pub struct JsCausalEvent {
    pub origin_hash: BigInt,
    pub sequence: BigInt,
    pub payload: Buffer,
}

impl JsCausalEvent {
    /// The JS shape of a core event (the payload is copied into a Buffer).
    pub fn from_core(e: &CausalEvent) -> Self {
        JsCausalEvent {
            origin_hash: BigInt::from(e.origin_hash()),
            sequence: BigInt::from(e.sequence()),
            payload: e.payload.to_vec().into(),
        }
    }

    /// The core ingress event (no parent link) of a JS one.
    pub fn to_core(&self) -> Result<CausalEvent> {
        Ok(CausalEvent::new(
            u64_of(&self.origin_hash, "event.originHash")?,
            u64_of(&self.sequence, "event.sequence")?,
            Bytes::copy_from_slice(&self.payload),
        ))
    }
}
