//! `NetMeshOsSdk`: the SDK handle — start, shut down, free, and the
//! dropped-control counter.

use std::ffi::c_int;
use std::sync::Arc;
use std::time::Duration;

use net_sdk::meshos::{LocalDispatcher, MeshOsConfig, MeshOsDaemonSdk};
use parking_lot::RwLock;

use super::guard::{self, MeshOsFfiError};

/// The SDK behind its C handle. `net_meshos_sdk_shutdown` takes the SDK
/// out; the outer box lives until `net_meshos_sdk_free`.
pub struct NetMeshOsSdk {
    sdk: RwLock<Option<Arc<MeshOsDaemonSdk>>>,
}

impl NetMeshOsSdk {
    /// The live SDK behind `ptr`: `NULL` → `ERR_NULL`, shut down →
    /// `ERR_ALREADY_SHUTDOWN`.
    pub(crate) fn live(ptr: *const NetMeshOsSdk) -> Result<Arc<MeshOsDaemonSdk>, MeshOsFfiError> {
        // SAFETY: the caller passes NULL or a pointer from `net_meshos_sdk_start`
        // not yet freed (the header's contract).
        let this: &NetMeshOsSdk = unsafe { ptr.as_ref() }.ok_or_else(|| MeshOsFfiError::null_handle("sdk"))?;
        this.sdk.read().clone().ok_or_else(|| MeshOsFfiError::already_shutdown("the SDK"))
    }
}

/// Box a started SDK as its C handle.
pub(crate) fn into_handle(sdk: MeshOsDaemonSdk) -> *mut NetMeshOsSdk {
    Box::into_raw(Box::new(NetMeshOsSdk { sdk: RwLock::new(Some(Arc::new(sdk))) }))
}

/// The config the C arguments describe (zeros: defaults).
pub(crate) fn config_of(
    this_node: u64,
    tick_interval_ms: u64,
    event_queue_capacity: usize,
    action_queue_capacity: usize,
    control_capacity: usize,
) -> MeshOsConfig {
    MeshOsConfig {
        this_node,
        tick_interval: Duration::from_millis(tick_interval_ms),
        event_queue_capacity,
        action_queue_capacity,
        control_capacity,
    }
}

/// Start the SDK; zero fields take their defaults (see net_meshos.h).
#[no_mangle]
pub extern "C" fn net_meshos_sdk_start(
    this_node: u64,
    tick_interval_ms: u64,
    event_queue_capacity: usize,
    action_queue_capacity: usize,
    control_capacity: usize,
    out: *mut *mut NetMeshOsSdk,
) -> c_int {
    guard::status(|| {
        if out.is_null() {
            return Err(MeshOsFfiError::null_arg("out"));
        }
        let config = config_of(this_node, tick_interval_ms, event_queue_capacity, action_queue_capacity, control_capacity);
        // SAFETY: `out` is non-NULL and points to writable storage (contract).
        unsafe { *out = into_handle(MeshOsDaemonSdk::start(config, Arc::new(LocalDispatcher::new()))) };
        Ok(())
    })
}

/// Free an SDK handle (shutting it down if that was not done). NULL is a no-op.
#[no_mangle]
pub extern "C" fn net_meshos_sdk_free(sdk: *mut NetMeshOsSdk) {
    guard::release(|| {
        if !sdk.is_null() {
            // SAFETY: a pointer from `net_meshos_sdk_start`, freed once (contract).
            drop(unsafe { Box::from_raw(sdk) });
        }
    })
}

/// Shut the SDK down; later calls on it return `ALREADY_SHUTDOWN`.
#[no_mangle]
pub extern "C" fn net_meshos_sdk_shutdown(sdk: *mut NetMeshOsSdk) -> c_int {
    guard::status(|| {
        // SAFETY: NULL or a live pointer from `net_meshos_sdk_start` (contract).
        let this = unsafe { sdk.as_ref() }.ok_or_else(|| MeshOsFfiError::null_handle("sdk"))?;
        let inner = this.sdk.write().take().ok_or_else(|| MeshOsFfiError::already_shutdown("the SDK"))?;
        inner.shutdown_now().map_err(Into::into)
    })
}

/// Control events dropped because a daemon's channel was full;
/// `UINT64_MAX` on NULL or after shutdown.
#[no_mangle]
pub extern "C" fn net_meshos_sdk_dropped_control_events(sdk: *mut NetMeshOsSdk) -> u64 {
    guard::guarded(u64::MAX, || Ok(NetMeshOsSdk::live(sdk)?.dropped_control_events()))
}
