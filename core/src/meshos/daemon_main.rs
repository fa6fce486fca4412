//! A daemon's whole life in one call: [`run_daemon`], and the
//! [`daemon_main!`](crate::daemon_main) macro that makes it a program's
//! `main`.
//!
//! The lifecycle is the seed's loop: start an SDK, register the daemon,
//! read control events until `Shutdown` or `DrainFinish`, shut the daemon
//! down gracefully, shut the SDK down. A process running it turns SIGINT
//! and SIGTERM into a `Shutdown` for its daemon, so `kill` or Ctrl-C stops
//! it cleanly instead of mid-event.

use std::sync::Arc;
use std::time::Duration;

use super::config::MeshOsConfig;
use super::dispatcher::{ControlRouter, MeshOsDispatcher};
use super::error::{MeshOsError, MeshOsErrorKind};
use super::sdk::MeshOsDaemonSdk;
use crate::compute::{DaemonControl, MeshDaemon};
use crate::identity::Identity;

/// The grace a signal's `Shutdown` gives the daemon.
pub const SIGNAL_SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// The grace after `DrainFinish`: a drained daemon has nothing in flight,
/// so it only needs its `on_control` to see the `Shutdown`.
const AFTER_DRAIN_GRACE: Duration = Duration::from_millis(10);

/// Run `daemon` from registration to shutdown on `dispatcher`, forwarding
/// SIGINT and SIGTERM as `Shutdown`. Returns once the daemon and the SDK
/// are shut down.
///
/// # Errors
/// `register_failed` when the daemon cannot register (say, a required
/// capability is missing), and those of the graceful and SDK shutdowns.
pub fn run_daemon<D, P>(daemon: D, keypair: Identity, config: MeshOsConfig, dispatcher: Arc<P>) -> Result<(), MeshOsError>
where
    D: MeshDaemon + 'static,
    P: MeshOsDispatcher,
{
    let sdk = MeshOsDaemonSdk::start(config, dispatcher);
    let _signals = signals::forward(sdk.control_router())?;
    supervise(&sdk, Box::new(daemon), keypair)
}

/// The lifecycle on an SDK the caller started (no signal handling): register
/// `daemon`, wait for `Shutdown` or `DrainFinish` (or the SDK shutting
/// down), shut the daemon down gracefully, then shut the SDK down.
///
/// # Errors
/// As [`run_daemon`].
pub fn supervise(sdk: &MeshOsDaemonSdk, daemon: Box<dyn MeshDaemon>, keypair: Identity) -> Result<(), MeshOsError> {
    let handle = sdk.register_daemon(daemon, keypair)?;
    let grace = loop {
        match handle.next_control_blocking(None) {
            Some(DaemonControl::Shutdown { grace_period }) => break Some(grace_period),
            Some(DaemonControl::DrainFinish) => break Some(AFTER_DRAIN_GRACE),
            Some(_) => {}
            // The SDK shut down under us: the daemon is already gone.
            None => break None,
        }
    };
    if let Some(grace) = grace {
        handle.graceful_shutdown_blocking(grace)?;
    }
    match sdk.shutdown_now() {
        Err(e) if e.kind() == MeshOsErrorKind::AlreadyShutdown => Ok(()),
        other => other,
    }
}

/// Start `$daemon` under `$keypair` as this program's `main`, on an SDK
/// with `$config` and `$dispatcher` (an `Arc` of a
/// [`MeshOsDispatcher`](crate::meshos::MeshOsDispatcher)). `main` returns
/// once the daemon has shut down on `Shutdown`, `DrainFinish`, SIGINT or
/// SIGTERM; see [`run_daemon`](crate::meshos::run_daemon).
///
/// ```no_run
/// use std::sync::Arc;
/// use bytes::Bytes;
/// use net_sdk::meshos::*;
///
/// struct Telemetry;
/// impl MeshDaemon for Telemetry {
///     fn name(&self) -> &str { "telemetry" }
///     fn requirements(&self) -> CapabilityFilter { CapabilityFilter::default() }
///     fn process(&mut self, _: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> { Ok(vec![]) }
/// }
///
/// net_sdk::daemon_main! {
///     daemon: Telemetry,
///     keypair: EntityKeypair::generate(),
///     config: MeshOsConfig::default(),
///     dispatcher: Arc::new(LocalDispatcher::new()),
/// }
/// ```
#[macro_export]
macro_rules! daemon_main {
    (
        daemon: $daemon:expr,
        keypair: $keypair:expr,
        config: $config:expr,
        dispatcher: $dispatcher:expr $(,)?
    ) => {
        fn main() -> ::std::result::Result<(), $crate::meshos::MeshOsError> {
            $crate::meshos::run_daemon($daemon, $keypair, $config, $dispatcher)
        }
    };
}

mod signals {
    use super::*;

    /// Forwards SIGINT and SIGTERM as `Shutdown` while it lives. The
    /// handlers are installed before this returns, so a signal that
    /// arrives once registration starts is never the default (fatal) one.
    pub(super) struct SignalForwarder {
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for SignalForwarder {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    #[cfg(unix)]
    pub(super) fn forward(router: ControlRouter) -> Result<SignalForwarder, MeshOsError> {
        use tokio::signal::unix::{signal, SignalKind};
        let rt = crate::runtime::runtime();
        let _context = rt.enter();
        let install = |kind: SignalKind| {
            signal(kind).map_err(|e| {
                MeshOsError::new(MeshOsErrorKind::RegisterFailed, format!("cannot handle signal {}: {e}", kind.as_raw_value()))
            })
        };
        let mut interrupt = install(SignalKind::interrupt())?;
        let mut terminate = install(SignalKind::terminate())?;
        let task = rt.spawn(async move {
            loop {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
                // A refusal (the SDK already gone) leaves nothing to stop.
                let _ = router.broadcast(DaemonControl::Shutdown { grace_period: SIGNAL_SHUTDOWN_GRACE });
            }
        });
        Ok(SignalForwarder { task })
    }

    #[cfg(not(unix))]
    pub(super) fn forward(router: ControlRouter) -> Result<SignalForwarder, MeshOsError> {
        let task = crate::runtime::runtime().spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                let _ = router.broadcast(DaemonControl::Shutdown { grace_period: SIGNAL_SHUTDOWN_GRACE });
            }
        });
        Ok(SignalForwarder { task })
    }
}
