//! Live-handle registries.
//!
//! A handle given to C is the address of an `Arc<T>`. The registry
//! remembers which addresses are live, so a call with a handle that was
//! already shut down (or never was one) fails with `invalid_handle`
//! instead of touching freed memory. Calls that may block (poll, flush)
//! take their own `Arc` so a concurrent shutdown cannot free the node
//! under them; short calls run under the read lock instead, which costs
//! one uncontended atomic.
//!
//! Limit: if the allocator hands a freed handle's address to a new handle,
//! the stale handle would reach the new object. C cannot be protected
//! from that without indirection on every call; the docs say a handle is
//! invalid after its `_shutdown`/`_free`.

use std::collections::BTreeSet;
use std::sync::Arc;

use parking_lot::RwLock;

use crate::status::FfiError;

pub(crate) struct Registry<T> {
    live: RwLock<BTreeSet<usize>>,
    _owns: std::marker::PhantomData<fn() -> T>,
}

impl<T> Registry<T> {
    pub(crate) const fn new() -> Self {
        Self { live: parking_lot::const_rwlock(BTreeSet::new()), _owns: std::marker::PhantomData }
    }

    /// Box `value` as a new live handle.
    pub(crate) fn insert(&self, value: T) -> *mut T {
        let ptr = Arc::into_raw(Arc::new(value)) as *mut T;
        self.live.write().insert(ptr as usize);
        ptr
    }

    /// Run a short `f` on the handle's value, holding the registry's read
    /// lock so the value cannot be released meanwhile.
    pub(crate) fn with<R>(&self, handle: *mut T, what: &str, f: impl FnOnce(&T) -> R) -> Result<R, FfiError> {
        if handle.is_null() {
            return Err(FfiError::null(what));
        }
        let live = self.live.read();
        if !live.contains(&(handle as usize)) {
            return Err(FfiError::invalid_handle(what));
        }
        // SAFETY: the address is registered, so the registry's own Arc
        // reference is alive and cannot be released while we hold `live`.
        Ok(f(unsafe { &*handle }))
    }

    /// A counted reference to the handle's value, for calls that block.
    pub(crate) fn get(&self, handle: *mut T, what: &str) -> Result<Arc<T>, FfiError> {
        self.with(handle, what, |_| {
            // SAFETY: registered address of a live `Arc<T>` (see `with`);
            // adding a count before rebuilding the Arc keeps the registry's
            // own reference intact.
            unsafe {
                Arc::increment_strong_count(handle as *const T);
                Arc::from_raw(handle as *const T)
            }
        })
    }

    /// Unregister the handle and hand back the registry's reference.
    pub(crate) fn remove(&self, handle: *mut T, what: &str) -> Result<Arc<T>, FfiError> {
        if handle.is_null() {
            return Err(FfiError::null(what));
        }
        if !self.live.write().remove(&(handle as usize)) {
            return Err(FfiError::invalid_handle(what));
        }
        // SAFETY: the address was registered, so it came from
        // `Arc::into_raw` in `insert` and its reference was never released.
        Ok(unsafe { Arc::from_raw(handle as *const T) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_live_until_removed() {
        let reg: Registry<u32> = Registry::new();
        let h = reg.insert(7);
        assert_eq!(reg.with(h, "h", |v| *v).unwrap(), 7);
        let held = reg.get(h, "h").unwrap();
        let owned = reg.remove(h, "h").unwrap();
        assert_eq!(*owned, 7);
        assert_eq!(*held, 7, "a blocking caller's reference outlives removal");
        assert_eq!(reg.with(h, "h", |v| *v).unwrap_err().kind, "invalid_handle");
        assert_eq!(reg.remove(h, "h").unwrap_err().kind, "invalid_handle");
        assert_eq!(reg.remove(std::ptr::null_mut(), "h").unwrap_err().kind, "null_parameter");
    }
}
