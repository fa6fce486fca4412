//! [`MeshOsDaemonHandle`]: a registered daemon's side of the SDK — its
//! control channel, its log line, its metadata, its capability tags, and
//! its graceful shutdown. After `graceful_shutdown` every call fails with
//! `already_shutdown` (the C ABI's `NET_MESHOS_ERR_ALREADY_SHUTDOWN`);
//! dropping a handle that was not shut down unregisters the daemon.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use super::config::DEFAULT_GRACEFUL_SHUTDOWN;
use super::error::MeshOsError;
use super::log::{LogLevel, LogRecord};
use super::metadata::MetadataView;
use super::queue::WaitQueue;
use super::sdk::SdkInner;
use crate::capabilities::CapabilitySet;
use crate::compute::DaemonControl;

/// A registered daemon's handle.
pub struct MeshOsDaemonHandle {
    sdk: Arc<SdkInner>,
    id: u64,
    name: String,
    control: Arc<WaitQueue<DaemonControl>>,
    /// `graceful_shutdown` has begun (a second one is refused).
    shutting: AtomicBool,
    /// `graceful_shutdown` has finished: every call is refused.
    consumed: AtomicBool,
    cached: Mutex<Option<MetadataView>>,
}

impl std::fmt::Debug for MeshOsDaemonHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeshOsDaemonHandle")
            .field("daemon_id", &format_args!("{:#018x}", self.id))
            .field("daemon_name", &self.name)
            .finish()
    }
}

impl MeshOsDaemonHandle {
    pub(crate) fn new(sdk: Arc<SdkInner>, id: u64, name: String, control: Arc<WaitQueue<DaemonControl>>) -> Self {
        MeshOsDaemonHandle {
            sdk,
            id,
            name,
            control,
            shutting: AtomicBool::new(false),
            consumed: AtomicBool::new(false),
            cached: Mutex::new(None),
        }
    }

    /// The daemon's id: its keypair's origin hash. Stable for the handle's
    /// life, shutdown included.
    pub fn daemon_id(&self) -> u64 {
        self.id
    }

    /// The daemon's name.
    pub fn daemon_name(&self) -> &str {
        &self.name
    }

    /// Whether `graceful_shutdown` has run on this handle.
    pub fn is_shut_down(&self) -> bool {
        self.consumed.load(Ordering::Acquire)
    }

    fn check_live(&self) -> Result<(), MeshOsError> {
        if self.is_shut_down() {
            return Err(MeshOsError::already_shutdown("the daemon handle"));
        }
        Ok(())
    }

    /// The next control event if one is queued (never waits). `None` also
    /// after a shutdown.
    pub fn try_next_control(&self) -> Option<DaemonControl> {
        if self.is_shut_down() {
            return None;
        }
        self.control.try_pop()
    }

    /// The next control event; `None` once the daemon is unregistered or
    /// the SDK shut down (and nothing is left queued).
    pub async fn next_control(&self) -> Option<DaemonControl> {
        if self.is_shut_down() {
            return None;
        }
        self.control.pop().await
    }

    /// The next control event, blocking this thread at most `timeout`
    /// (`None`: no bound); `None` on timeout or shutdown.
    pub fn next_control_blocking(&self, timeout: Option<Duration>) -> Option<DaemonControl> {
        if self.is_shut_down() {
            return None;
        }
        self.control.pop_timeout(timeout)
    }

    /// Publish a log line tagged with this daemon. Never waits:
    /// `queue_full` when the SDK's ring is full, `loop_closed` after the
    /// SDK shut down, `already_shutdown` after this handle's shutdown.
    pub fn publish_log(&self, level: LogLevel, message: impl Into<String>) -> Result<(), MeshOsError> {
        self.check_live()?;
        let at_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        self.sdk.publish_log(LogRecord {
            daemon_id: self.id,
            daemon_name: self.name.clone(),
            level,
            message: message.into(),
            at_ms,
        })
    }

    /// Replace this daemon's capability tags and commit them to the node's
    /// announcement (on a mesh, peers' `find_nodes` sees them). An empty
    /// set withdraws them. A set the announcement refuses (a bad tag, too
    /// large) fails with `invalid_argument` and the old tags stay.
    pub fn publish_capabilities(&self, tags: CapabilitySet) -> Result<(), MeshOsError> {
        self.check_live()?;
        self.sdk.publish_capabilities(self.id, tags)?;
        // What the daemon publishes is part of its metadata.
        self.cached.lock().take();
        Ok(())
    }

    /// The metadata view, as of the last refresh (taken now the first time).
    pub fn metadata(&self) -> Result<MetadataView, MeshOsError> {
        self.check_live()?;
        if let Some(view) = self.cached.lock().clone() {
            return Ok(view);
        }
        self.refresh_metadata()
    }

    /// Rebuild the metadata view from the node's current state.
    pub fn refresh_metadata(&self) -> Result<MetadataView, MeshOsError> {
        self.check_live()?;
        let view = self.sdk.metadata(self.id)?;
        *self.cached.lock() = Some(view.clone());
        Ok(view)
    }

    /// Send this daemon `Shutdown { grace }` (its `on_control`, then its
    /// channel, where a `next_control` waiting on another task receives
    /// it), wait `grace` (`Duration::ZERO`: the default, 5 s), then
    /// unregister it; from then on every call fails with
    /// `already_shutdown`, as does a second shutdown at any time.
    pub async fn graceful_shutdown(&self, grace: Duration) -> Result<(), MeshOsError> {
        let grace = self.begin_shutdown(grace)?;
        tokio::time::sleep(grace).await;
        self.finish_shutdown();
        Ok(())
    }

    /// [`graceful_shutdown`](Self::graceful_shutdown), blocking this thread.
    pub fn graceful_shutdown_blocking(&self, grace: Duration) -> Result<(), MeshOsError> {
        let grace = self.begin_shutdown(grace)?;
        std::thread::sleep(grace);
        self.finish_shutdown();
        Ok(())
    }

    fn finish_shutdown(&self) {
        self.consumed.store(true, Ordering::Release);
        self.sdk.unregister(self.id);
    }

    fn begin_shutdown(&self, grace: Duration) -> Result<Duration, MeshOsError> {
        if self.shutting.swap(true, Ordering::AcqRel) {
            return Err(MeshOsError::already_shutdown("the daemon handle"));
        }
        let grace = if grace.is_zero() { DEFAULT_GRACEFUL_SHUTDOWN } else { grace };
        if !self.sdk.is_shut() {
            // Straight to the daemon, not through the action queue: a
            // shutdown must not be refused because the queue is full.
            self.sdk.deliver_control(self.id, DaemonControl::Shutdown { grace_period: grace });
        }
        Ok(grace)
    }
}

impl Drop for MeshOsDaemonHandle {
    fn drop(&mut self) {
        // Dropped during a graceful shutdown's grace: unregister now.
        if !self.consumed.swap(true, Ordering::AcqRel) {
            self.sdk.unregister(self.id);
        }
    }
}
