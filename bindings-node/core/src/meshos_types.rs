//! The plain objects of the MeshOS surface: control events (in and out),
//! log lines, the metadata view and the SDK's config, and MeshOS errors
//! (`code` = the core's kind: `register_failed`, `queue_full`,
//! `loop_closed`, `invalid_log_level`, `already_shutdown`, …; the message
//! is the envelope's body).

use std::time::Duration;

use napi::bindgen_prelude::BigInt;
use napi_derive::napi;
use net_sdk::meshos::{DaemonControl, LogRecord, MeshOsConfig, MeshOsError, MetadataView};

use crate::error::{error, invalid, Error, Result};
use crate::identity::u64_of;

/// The JS error of a MeshOS failure.
pub fn meshos_fail(e: MeshOsError) -> Error {
    error(e.kind().as_str(), e.message().to_owned())
}

/// A control event: `kind` is the variant's stable name (`Shutdown`,
/// `DrainStart`, `DrainFinish`, `BackpressureOn`, `BackpressureOff`,
/// `Unknown`); `gracePeriodMs` for `Shutdown` / `DrainStart`, `level` for
/// `BackpressureOn`.
#[napi(object)]
pub struct JsDaemonControl {
    pub kind: String,
    pub grace_period_ms: Option<f64>,
    pub level: Option<f64>,
}

impl JsDaemonControl {
    pub fn from_core(c: &DaemonControl) -> Self {
        JsDaemonControl {
            kind: c.variant().to_owned(),
            grace_period_ms: c.grace_period().map(|d| d.as_millis() as f64),
            level: c.level().map(f64::from),
        }
    }

    pub fn to_core(&self) -> Result<DaemonControl> {
        let grace = || -> Result<Duration> {
            match self.grace_period_ms {
                Some(ms) if ms.is_finite() && ms >= 0.0 && ms.fract() == 0.0 => Ok(Duration::from_millis(ms as u64)),
                Some(ms) => Err(invalid(format!("gracePeriodMs must be a whole number >= 0, got {ms}"))),
                None => Err(invalid(format!("a {} control needs gracePeriodMs", self.kind))),
            }
        };
        Ok(match self.kind.as_str() {
            "Shutdown" => DaemonControl::Shutdown { grace_period: grace()? },
            "DrainStart" => DaemonControl::DrainStart { grace_period: grace()? },
            "DrainFinish" => DaemonControl::DrainFinish,
            "BackpressureOn" => match self.level {
                Some(l) if (0.0..=1.0).contains(&l) => DaemonControl::BackpressureOn { level: l as f32 },
                other => return Err(invalid(format!("a BackpressureOn control needs a level in [0, 1], got {other:?}"))),
            },
            "BackpressureOff" => DaemonControl::BackpressureOff,
            other => return Err(invalid(format!("unknown control kind {other:?}"))),
        })
    }
}

/// One published log line.
#[napi(object)]
pub struct JsLogRecord {
    pub daemon_id: BigInt,
    pub daemon_name: String,
    /// `trace`, `debug`, `info`, `warn` or `error`.
    pub level: String,
    pub message: String,
    /// Wall-clock milliseconds since the Unix epoch.
    pub at_ms: f64,
}

impl From<LogRecord> for JsLogRecord {
    fn from(r: LogRecord) -> Self {
        JsLogRecord {
            daemon_id: BigInt::from(r.daemon_id),
            daemon_name: r.daemon_name,
            level: r.level.as_str().to_owned(),
            message: r.message,
            at_ms: r.at_ms as f64,
        }
    }
}

/// A peer of the local node, as a daemon sees it.
#[napi(object)]
pub struct JsPeerView {
    pub node_id: BigInt,
    /// `alive`, `suspect` or `dead`.
    pub health: String,
    pub capability_set: Vec<String>,
}

/// A daemon's view of where it runs.
#[napi(object)]
pub struct JsMetadataView {
    pub node_id: BigInt,
    pub daemon_id: BigInt,
    pub daemon_name: String,
    /// `healthy`, `degraded` or `unhealthy`.
    pub health: String,
    pub saturation: f64,
    /// `active` (the only state until operator maintenance exists).
    pub maintenance_state: String,
    pub capabilities: Vec<String>,
    pub peers: Vec<JsPeerView>,
}

impl From<MetadataView> for JsMetadataView {
    fn from(v: MetadataView) -> Self {
        JsMetadataView {
            node_id: BigInt::from(v.node_id),
            daemon_id: BigInt::from(v.daemon_id),
            daemon_name: v.daemon_name,
            health: v.health.as_str().to_owned(),
            saturation: f64::from(v.saturation),
            maintenance_state: "active".to_owned(),
            capabilities: v.capabilities,
            peers: v
                .peers
                .into_iter()
                .map(|p| JsPeerView {
                    node_id: BigInt::from(p.node_id),
                    health: p.health.to_owned(),
                    capability_set: p.capability_set,
                })
                .collect(),
        }
    }
}

/// Settings of a MeshOS SDK; an omitted (or 0) field takes its default.
#[napi(object)]
pub struct JsMeshOsConfig {
    pub this_node: Option<BigInt>,
    pub tick_interval_ms: Option<f64>,
    pub event_queue_capacity: Option<f64>,
    pub action_queue_capacity: Option<f64>,
    pub control_capacity: Option<f64>,
}

/// A whole number in `0..=2^32` (a capacity), or a refusal naming it: a
/// negative or fractional capacity must not wrap or truncate silently.
fn capacity(v: f64, what: &str) -> Result<usize> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
        Ok(v as usize)
    } else {
        Err(invalid(format!("{what} must be a whole number >= 0, got {v}")))
    }
}

impl JsMeshOsConfig {
    pub fn to_core(c: Option<JsMeshOsConfig>) -> Result<MeshOsConfig> {
        let mut out = MeshOsConfig::default();
        let Some(c) = c else { return Ok(out) };
        if let Some(n) = &c.this_node {
            out.this_node = u64_of(n, "thisNode")?;
        }
        if let Some(ms) = c.tick_interval_ms {
            if !(ms.is_finite() && ms >= 0.0 && ms.fract() == 0.0) {
                return Err(invalid(format!("tickIntervalMs must be a whole number >= 0, got {ms}")));
            }
            out.tick_interval = Duration::from_millis(ms as u64);
        }
        if let Some(n) = c.event_queue_capacity {
            out.event_queue_capacity = capacity(n, "eventQueueCapacity")?;
        }
        if let Some(n) = c.action_queue_capacity {
            out.action_queue_capacity = capacity(n, "actionQueueCapacity")?;
        }
        if let Some(n) = c.control_capacity {
            out.control_capacity = capacity(n, "controlCapacity")?;
        }
        Ok(out.with_defaults())
    }
}
