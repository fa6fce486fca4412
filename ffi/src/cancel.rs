//! Cancellation tokens: `net_cancel_new`, `net_cancel_trigger`,
//! `net_cancel_free`.
//!
//! A blocking call that takes a `const net_cancel_t*` returns
//! `NET_ERR_CANCELLED` as soon as another thread triggers the token, so a
//! host with its own notion of cancellation (Go's `context.Context`, a
//! signal handler, a UI button) can stop a wait without polling it in
//! short slices. Triggering is sticky: a call that starts with an already
//! triggered token returns at once.

use std::ffi::c_int;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

use crate::guard;
use crate::registry::Registry;
use crate::status::FfiError;

/// A cancellation token (opaque). Created by `net_cancel_new`, released by
/// `net_cancel_free`.
#[derive(Debug)]
pub struct NetCancel {
    fired: AtomicBool,
    wake: Notify,
}

static CANCELS: Registry<NetCancel> = Registry::new();

impl NetCancel {
    /// Resolves once the token has been triggered.
    async fn triggered(&self) {
        loop {
            // Register before checking the flag, so a trigger between the
            // check and the await still wakes this waiter.
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.fired.load(Ordering::Acquire) {
                return;
            }
            notified.await;
        }
    }
}

/// The token behind a `const net_cancel_t*` argument: `None` for NULL
/// (the call is not cancellable), an error for a freed or made-up handle.
pub(crate) fn token(cancel: *const NetCancel) -> Result<Option<Arc<NetCancel>>, FfiError> {
    if cancel.is_null() {
        return Ok(None);
    }
    CANCELS.get(cancel.cast_mut(), "cancel").map(Some)
}

/// Run `work` until it completes or `cancel` is triggered, whichever comes
/// first; a token triggered before the call wins without polling `work`.
pub(crate) async fn or_cancelled<T>(
    cancel: Option<Arc<NetCancel>>,
    what: &'static str,
    work: impl Future<Output = Result<T, FfiError>>,
) -> Result<T, FfiError> {
    let Some(cancel) = cancel else { return work.await };
    tokio::select! {
        biased;
        () = cancel.triggered() => Err(FfiError::cancelled(what)),
        out = work => out,
    }
}

/// Create a cancellation token. Returns a handle owned by the caller,
/// released with `net_cancel_free`. It may be passed to any number of
/// calls, from any thread.
#[no_mangle]
pub extern "C" fn net_cancel_new() -> *mut NetCancel {
    guard::pointer(|| CANCELS.insert(NetCancel { fired: AtomicBool::new(false), wake: Notify::new() }))
}

/// Trigger the token: every call waiting with it returns
/// `NET_ERR_CANCELLED` (kind `cancelled`), and so does every later call
/// given it. Thread-safe; triggering twice is fine.
#[no_mangle]
pub extern "C" fn net_cancel_trigger(cancel: *mut NetCancel) -> c_int {
    guard::status(|| {
        CANCELS.with(cancel, "cancel", |c| {
            c.fired.store(true, Ordering::Release);
            c.wake.notify_waiters();
        })
    })
}

/// Release a token. Calls still waiting with it keep their own reference
/// and are NOT cancelled by this (trigger first to stop them). NULL is a
/// no-op; a token already freed is reported as kind `invalid_handle`.
#[no_mangle]
pub extern "C" fn net_cancel_free(cancel: *mut NetCancel) {
    guard::guarded(
        |_| (),
        || {
            if !cancel.is_null() {
                CANCELS.remove(cancel, "cancel")?;
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use net_sdk::runtime::block_on;
    use std::time::Duration;

    fn pending() -> impl Future<Output = Result<(), FfiError>> {
        std::future::pending()
    }

    #[test]
    fn a_trigger_stops_a_waiting_call() {
        let c = net_cancel_new();
        let handle = c as usize;
        let waiter = std::thread::spawn(move || {
            let token = token(handle as *const NetCancel).unwrap();
            block_on(async move { or_cancelled(token, "wait", pending()).await })
        });
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(net_cancel_trigger(c), 0);
        assert_eq!(waiter.join().unwrap().unwrap_err().kind, "cancelled");
        // Sticky: a later call returns at once, even when its work is ready.
        let token = token(c).unwrap();
        let out = block_on(async move { or_cancelled(token, "wait", async { Ok(1) }).await });
        assert_eq!(out.unwrap_err().kind, "cancelled");
        net_cancel_free(c);
    }

    #[test]
    fn no_token_or_no_trigger_lets_work_finish() {
        assert_eq!(block_on(or_cancelled(None, "w", async { Ok(3) })).unwrap(), 3);
        let c = net_cancel_new();
        let t = token(c).unwrap();
        assert_eq!(block_on(async move { or_cancelled(t, "w", async { Ok(4) }).await }).unwrap(), 4);
        net_cancel_free(c);
    }

    #[test]
    fn freed_tokens_are_refused() {
        let c = net_cancel_new();
        net_cancel_free(c);
        assert_eq!(token(c).unwrap_err().kind, "invalid_handle");
        assert_eq!(net_cancel_trigger(c), crate::NetStatus::NET_ERR_NULL_POINTER as i32);
        assert_eq!(net_cancel_trigger(std::ptr::null_mut()), crate::NetStatus::NET_ERR_NULL_POINTER as i32);
        net_cancel_free(std::ptr::null_mut());
    }
}
