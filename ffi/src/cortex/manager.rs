//! RedEX managers: `net_redex_new`, `net_redex_free`.

use std::ffi::c_char;

use net_sdk::cortex::Redex;

use super::guard;
use super::status::CortexFfiError;
use crate::args;
use crate::registry::Registry;

/// A RedEX manager (opaque): opens files, in memory or under a directory.
/// Created by `net_redex_new`, released by `net_redex_free`.
pub struct NetRedex {
    pub(crate) redex: Redex,
}

pub(crate) static REDEXES: Registry<NetRedex> = Registry::new();

pub(crate) fn redex_of(handle: *mut NetRedex) -> Result<Redex, CortexFfiError> {
    Ok(REDEXES.with(handle, "redex", |r| r.redex.clone())?)
}

/// A manager whose persistent files live under `persistent_dir`
/// (NUL-terminated; NULL for a memory-only manager, which refuses files
/// opened with `"persistent": true`).
///
/// Returns a handle owned by the caller, released with `net_redex_free`,
/// or NULL on failure (kind `invalid_utf8`).
#[no_mangle]
pub extern "C" fn net_redex_new(persistent_dir: *const c_char) -> *mut NetRedex {
    guard::pointer(|| {
        let dir = args::optional_cstr(persistent_dir, "persistent_dir")?;
        let redex = match dir {
            Some(d) => Redex::new().with_persistent_dir(d),
            None => Redex::new(),
        };
        Ok(REDEXES.insert(NetRedex { redex })?)
    })
}

/// Release a manager. Files and NetDbs opened through it stay usable (they
/// hold what they need). NULL is a no-op; a stale handle is ignored.
#[no_mangle]
pub extern "C" fn net_redex_free(redex: *mut NetRedex) {
    guard::release(|| {
        if !redex.is_null() {
            let _ = REDEXES.remove(redex, "redex");
        }
    })
}
