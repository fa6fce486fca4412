//! `NetMeshOsHandle`: a registered daemon — registration (with a vtable or
//! lifecycle-only), its id and name, free.

use std::ffi::{c_char, c_int, c_void, CString};

use net_sdk::meshos::{DaemonHostConfig, EntityKeypair, MeshDaemon, MeshOsDaemonHandle};

use super::guard::{self, MeshOsFfiError};
use super::sdk::NetMeshOsSdk;
use super::vtable::{LifecycleDaemon, NetMeshOsDaemonVtable, VtableDaemon};

/// A daemon's handle and its name as a C string (for
/// `net_meshos_handle_daemon_name`, valid for the handle's life).
pub struct NetMeshOsHandle {
    pub(crate) inner: MeshOsDaemonHandle,
    name: CString,
}

impl NetMeshOsHandle {
    /// The handle behind `ptr`; `ERR_NULL` for NULL, `ERR_ALREADY_SHUTDOWN`
    /// after `net_meshos_graceful_shutdown`.
    pub(crate) fn live<'a>(ptr: *const NetMeshOsHandle) -> Result<&'a MeshOsDaemonHandle, MeshOsFfiError> {
        // SAFETY: NULL or a pointer from a registration, not yet freed (contract).
        let this: &'a NetMeshOsHandle = unsafe { ptr.as_ref() }.ok_or_else(|| MeshOsFfiError::null_handle("handle"))?;
        if this.inner.is_shut_down() {
            return Err(MeshOsFfiError::already_shutdown("the daemon handle"));
        }
        Ok(&this.inner)
    }
}

/// `(ptr, len)` as UTF-8 text without NULs.
pub(crate) fn text<'a>(ptr: *const c_char, len: usize, what: &str) -> Result<&'a str, MeshOsFfiError> {
    if ptr.is_null() {
        return Err(MeshOsFfiError::null_arg(what));
    }
    // SAFETY: `len` readable bytes at `ptr` (contract).
    let raw = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    let s = std::str::from_utf8(raw).map_err(|e| MeshOsFfiError::invalid("invalid_utf8", format!("{what} is not UTF-8: {e}")))?;
    if s.contains('\0') {
        return Err(MeshOsFfiError::invalid("invalid_argument", format!("{what} contains a NUL byte")));
    }
    Ok(s)
}

fn keypair(seed_ptr: *const u8) -> Result<EntityKeypair, MeshOsFfiError> {
    if seed_ptr.is_null() {
        return Err(MeshOsFfiError::null_arg("seed_ptr"));
    }
    let mut seed = [0u8; 32];
    // SAFETY: exactly 32 readable bytes at `seed_ptr` (contract).
    seed.copy_from_slice(unsafe { std::slice::from_raw_parts(seed_ptr, 32) });
    Ok(EntityKeypair::from_seed(seed))
}

pub(crate) fn register(
    sdk: *mut NetMeshOsSdk,
    name: &str,
    seed_ptr: *const u8,
    daemon: Box<dyn MeshDaemon>,
    config: DaemonHostConfig,
    out: *mut *mut NetMeshOsHandle,
) -> Result<(), MeshOsFfiError> {
    let sdk = NetMeshOsSdk::live(sdk)?;
    if out.is_null() {
        return Err(MeshOsFfiError::null_arg("out"));
    }
    let keypair = keypair(seed_ptr)?;
    let inner = sdk.register_daemon_with(daemon, keypair, config)?;
    let name = CString::new(name).map_err(|_| MeshOsFfiError::invalid("invalid_argument", "name contains a NUL byte"))?;
    // SAFETY: `out` is non-NULL and writable (contract).
    unsafe { *out = Box::into_raw(Box::new(NetMeshOsHandle { inner, name })) };
    Ok(())
}

/// The vtable daemon `vtable_ptr` describes (copied), named `name`.
pub(crate) fn vtable_daemon(
    name: &str,
    vtable_ptr: *const NetMeshOsDaemonVtable,
    user_ctx: *mut c_void,
) -> Result<VtableDaemon, MeshOsFfiError> {
    // SAFETY: NULL or a readable vtable; it is copied here (contract).
    let vtable = *unsafe { vtable_ptr.as_ref() }.ok_or_else(|| MeshOsFfiError::null_arg("vtable_ptr"))?;
    let process = vtable.process.ok_or_else(|| MeshOsFfiError::null_arg("vtable_ptr->process"))?;
    Ok(VtableDaemon::new(name.to_owned(), vtable, process, user_ctx))
}

/// Register a daemon whose behaviour is the vtable's callbacks.
#[no_mangle]
pub extern "C" fn net_meshos_register_daemon_with_vtable(
    sdk: *mut NetMeshOsSdk,
    name_ptr: *const c_char,
    name_len: usize,
    seed_ptr: *const u8,
    vtable_ptr: *const NetMeshOsDaemonVtable,
    user_ctx: *mut c_void,
    out: *mut *mut NetMeshOsHandle,
) -> c_int {
    guard::status(|| {
        NetMeshOsSdk::live(sdk)?;
        let name = text(name_ptr, name_len, "name")?;
        let daemon = vtable_daemon(name, vtable_ptr, user_ctx)?;
        register(sdk, name, seed_ptr, Box::new(daemon), DaemonHostConfig::default(), out)
    })
}

/// Register a lifecycle-only daemon (it processes nothing).
#[no_mangle]
pub extern "C" fn net_meshos_register_daemon(
    sdk: *mut NetMeshOsSdk,
    name_ptr: *const c_char,
    name_len: usize,
    seed_ptr: *const u8,
    out: *mut *mut NetMeshOsHandle,
) -> c_int {
    guard::status(|| {
        NetMeshOsSdk::live(sdk)?;
        let name = text(name_ptr, name_len, "name")?;
        register(sdk, name, seed_ptr, Box::new(LifecycleDaemon { name: name.to_owned() }), DaemonHostConfig::default(), out)
    })
}

/// Free a handle, unregistering the daemon if it was not shut down. NULL is
/// a no-op.
#[no_mangle]
pub extern "C" fn net_meshos_handle_free(handle: *mut NetMeshOsHandle) {
    guard::release(|| {
        if !handle.is_null() {
            // SAFETY: a pointer from a registration, freed once (contract).
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}

/// The daemon's id (its keypair's origin hash); 0 for NULL.
#[no_mangle]
pub extern "C" fn net_meshos_handle_daemon_id(handle: *const NetMeshOsHandle) -> u64 {
    // SAFETY: NULL or a live handle (contract).
    unsafe { handle.as_ref() }.map_or(0, |h| h.inner.daemon_id())
}

/// The daemon's name, valid for the handle's life; NULL for NULL.
#[no_mangle]
pub extern "C" fn net_meshos_handle_daemon_name(handle: *const NetMeshOsHandle) -> *const c_char {
    // SAFETY: NULL or a live handle (contract).
    unsafe { handle.as_ref() }.map_or(std::ptr::null(), |h| h.name.as_ptr())
}
