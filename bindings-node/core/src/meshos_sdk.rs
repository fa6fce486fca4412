//! `MeshOsDaemonSdk` and `MeshOsDaemonHandle`: the core's MeshOS daemon
//! SDK, one-to-one. Daemons are JS objects reached through a `DaemonPort`
//! (as the compute runtime's are); events reach them through the SDK's
//! `runtime()`, which is a `DaemonRuntime` sharing the SDK's.
//!
//! What the core's foreign daemon bridges is `process`, `snapshot` and
//! `restore`; a JS daemon's health and saturation are the defaults
//! (healthy, 0) and it reads its control events from its handle
//! (`nextControl`), not from an `onControl` callback.

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{BigInt, ClassInstance, Either, Env};
use napi::JsObject;
use napi_derive::napi;
use net_sdk::meshos::{self, LogLevel};

use crate::capabilities::caps_of;
use crate::compute_config::JsDaemonHostConfig;
use crate::compute_port::DaemonPort;
use crate::compute_runtime::{wrap, DaemonRuntime};
use crate::error::{invalid, Result};
use crate::identity::{u64_of, Identity};
use crate::mesh::MeshNode;
use crate::meshos_types::{meshos_fail, JsDaemonControl, JsLogRecord, JsMeshOsConfig, JsMetadataView};
use crate::promise;

/// The MeshOS daemon SDK: registers daemons, routes control events to
/// them, collects their logs.
#[napi]
pub struct MeshOsDaemonSdk {
    sdk: Arc<meshos::MeshOsDaemonSdk>,
    runtime: DaemonRuntime,
}

/// A registered daemon's side of the SDK.
#[napi]
pub struct MeshOsDaemonHandle {
    handle: Arc<meshos::MeshOsDaemonHandle>,
    runtime: DaemonRuntime,
}

fn with_runtime(sdk: meshos::MeshOsDaemonSdk) -> MeshOsDaemonSdk {
    let runtime = wrap(sdk.runtime().clone());
    MeshOsDaemonSdk { sdk: Arc::new(sdk), runtime }
}

/// A whole number of milliseconds >= 0, or the default (zero) when omitted.
fn grace(ms: Option<f64>, what: &str) -> Result<Duration> {
    match ms {
        None => Ok(Duration::ZERO),
        Some(ms) if ms.is_finite() && ms >= 0.0 && ms.fract() == 0.0 => Ok(Duration::from_millis(ms as u64)),
        Some(ms) => Err(invalid(format!("{what} must be a whole number of milliseconds >= 0, got {ms}"))),
    }
}

#[napi]
impl MeshOsDaemonSdk {
    /// An SDK without a mesh: published tags become the local node's
    /// capabilities (later registrations see them), announced to no one.
    #[napi(factory)]
    pub fn start(config: Option<JsMeshOsConfig>) -> Result<Self> {
        Ok(with_runtime(meshos::MeshOsDaemonSdk::start(
            JsMeshOsConfig::to_core(config)?,
            Arc::new(meshos::LocalDispatcher::new()),
        )))
    }

    /// An SDK on `mesh`: required capabilities are checked against what it
    /// announces, published tags are committed to its announcement.
    #[napi(factory)]
    pub fn start_on_mesh(mesh: &MeshNode, config: Option<JsMeshOsConfig>) -> Result<Self> {
        let config = JsMeshOsConfig::to_core(config)?;
        Ok(with_runtime(meshos::MeshOsDaemonSdk::start(config, Arc::new(mesh.mesh().clone()))))
    }

    /// Register the daemon served by `port` under `identity` (its id is the
    /// identity's origin hash). Throws `register_failed` (empty name, taken
    /// identity, missing capability), `already_shutdown`.
    #[napi]
    pub fn register_daemon(
        &self,
        identity: &Identity,
        mut port: ClassInstance<DaemonPort>,
        config: Option<JsDaemonHostConfig>,
    ) -> Result<MeshOsDaemonHandle> {
        let config = JsDaemonHostConfig::to_core(config)?;
        let daemon = port.take_daemon()?;
        let handle =
            self.sdk.register_daemon_with(Box::new(daemon), identity.core().clone(), config).map_err(meshos_fail)?;
        self.runtime.adopt(handle.daemon_id(), port.shared());
        Ok(MeshOsDaemonHandle { handle: Arc::new(handle), runtime: self.runtime.clone() })
    }

    /// Queue `control` for daemon `daemonId` (the supervisor's entry).
    /// Throws `queue_full`, `loop_closed` after shutdown,
    /// `invalid_argument` for an unknown daemon or a malformed control.
    #[napi]
    pub fn route_control(&self, daemon_id: BigInt, control: JsDaemonControl) -> Result<()> {
        let id = u64_of(&daemon_id, "daemonId")?;
        self.sdk.route_control(id, control.to_core()?).map_err(meshos_fail)
    }

    /// Control events dropped because a daemon's channel was full.
    #[napi]
    pub fn dropped_control_events(&self) -> BigInt {
        BigInt::from(self.sdk.dropped_control_events())
    }

    /// Every log line published since the last drain, in order.
    #[napi]
    pub fn drain_logs(&self) -> Vec<JsLogRecord> {
        self.sdk.drain_logs().into_iter().map(JsLogRecord::from).collect()
    }

    /// Ids of the registered daemons.
    #[napi]
    pub fn daemon_ids(&self) -> Vec<BigInt> {
        self.sdk.daemon_ids().into_iter().map(BigInt::from).collect()
    }

    /// Whether `shutdown` has run.
    #[napi]
    pub fn is_shut_down(&self) -> bool {
        self.sdk.is_shut_down()
    }

    /// The compute runtime hosting the daemons (deliver, snapshot).
    #[napi]
    pub fn runtime(&self) -> DaemonRuntime {
        self.runtime.clone()
    }

    /// Stop the supervisor, end every control channel, unregister every
    /// daemon. Rejects `already_shutdown` the second time.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn shutdown(&self, env: Env) -> Result<JsObject> {
        let sdk = self.sdk.clone();
        promise::spawn(&env, async move { sdk.shutdown().await.map_err(meshos_fail) }, |_, ()| Ok(()))
    }
}

#[napi]
impl MeshOsDaemonHandle {
    /// The daemon's id (its identity's origin hash).
    #[napi(getter)]
    pub fn daemon_id(&self) -> BigInt {
        BigInt::from(self.handle.daemon_id())
    }

    /// The daemon's name.
    #[napi(getter)]
    pub fn daemon_name(&self) -> String {
        self.handle.daemon_name().to_owned()
    }

    /// Whether `gracefulShutdown` has run on this handle.
    #[napi]
    pub fn is_shut_down(&self) -> bool {
        self.handle.is_shut_down()
    }

    /// The next control event if one is queued, else null (never waits).
    #[napi]
    pub fn try_next_control(&self) -> Option<JsDaemonControl> {
        self.handle.try_next_control().as_ref().map(JsDaemonControl::from_core)
    }

    /// The next control event; null once the daemon is unregistered or the
    /// SDK shut down, or after `timeoutMs` when given.
    #[napi(ts_return_type = "Promise<JsDaemonControl | null>")]
    pub fn next_control(&self, env: Env, timeout_ms: Option<f64>) -> Result<JsObject> {
        let limit = timeout_ms.map(|ms| crate::mesh_config::millis(ms, "timeoutMs")).transpose()?;
        let handle = self.handle.clone();
        let work = async move {
            Ok(match limit {
                Some(t) => tokio::time::timeout(t, handle.next_control()).await.ok().flatten(),
                None => handle.next_control().await,
            })
        };
        promise::spawn(&env, work, |_, c| Ok(c.as_ref().map(JsDaemonControl::from_core)))
    }

    /// Publish a log line at `level` (`trace`…`error`, or 0…4). Throws
    /// `invalid_log_level`, `queue_full`, `loop_closed`, `already_shutdown`.
    #[napi(ts_args_type = "level: string | number, message: string")]
    pub fn publish_log(&self, level: Either<String, f64>, message: String) -> Result<()> {
        let level = match level {
            Either::A(name) => LogLevel::parse(&name),
            Either::B(n) if n.fract() == 0.0 && n >= i32::MIN as f64 && n <= i32::MAX as f64 => LogLevel::from_i32(n as i32),
            Either::B(n) => LogLevel::from_i32(if n < 0.0 { -1 } else { i32::MAX }),
        }
        .map_err(meshos_fail)?;
        self.handle.publish_log(level, message).map_err(meshos_fail)
    }

    /// Replace this daemon's capability tags (capability-set JSON) and
    /// commit them to the node's announcement; an empty set withdraws them.
    #[napi]
    pub fn publish_capabilities(&self, capabilities: String) -> Result<()> {
        self.handle.publish_capabilities(caps_of(&capabilities)?).map_err(meshos_fail)
    }

    /// The metadata view as of the last refresh (taken now the first time).
    #[napi]
    pub fn metadata(&self) -> Result<JsMetadataView> {
        self.handle.metadata().map(JsMetadataView::from).map_err(meshos_fail)
    }

    /// Rebuild the metadata view from the node's current state.
    #[napi]
    pub fn refresh_metadata(&self) -> Result<JsMetadataView> {
        self.handle.refresh_metadata().map(JsMetadataView::from).map_err(meshos_fail)
    }

    /// Send this daemon `Shutdown { graceMs }`, wait the grace (omitted or
    /// 0: 5 s), then unregister it. Rejects `already_shutdown` the second
    /// time.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn graceful_shutdown(&self, env: Env, grace_ms: Option<f64>) -> Result<JsObject> {
        let grace = grace(grace_ms, "graceMs")?;
        let (handle, runtime) = (self.handle.clone(), self.runtime.clone());
        let work = async move {
            handle.graceful_shutdown(grace).await.map_err(meshos_fail)?;
            runtime.forget(handle.daemon_id());
            Ok(())
        };
        promise::spawn(&env, work, |_, ()| Ok(()))
    }
}
