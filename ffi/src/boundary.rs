//! The one boundary every exported function of every header goes through.
//!
//! `guarded` clears the header's last error, runs the body, catches any
//! panic (a panic must never unwind into C, and with `panic = "unwind"` it
//! can be caught), and turns an error into the function's failure value
//! while recording the message/kind pair — so the code and the pair can
//! never disagree. Each header's `guard` module fixes the error type, which
//! picks the status codes and the last-error pair.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::last_error_slot::LastErrorSlot;

/// The error type of one C header, as the boundary needs it.
pub(crate) trait BoundaryError: Sized {
    /// The header's code for success (`int` returns).
    const SUCCESS: i32;

    /// The header's last-error pair.
    fn last_error() -> &'static LastErrorSlot;

    /// A caught panic (kind `runtime_panic`); `message` says what panicked.
    fn panic(message: String) -> Self;

    /// A count that does not fit the `int` a function returns.
    fn int_overflow(message: String) -> Self;

    /// The negative code the function returns.
    fn code(&self) -> i32;

    fn kind(&self) -> &'static str;

    fn message(&self) -> &str;
}

/// Run `body` at the C boundary. On error or panic, record the error and
/// return `on_error(&err)`.
pub(crate) fn guarded<E: BoundaryError, T>(on_error: impl FnOnce(&E) -> T, body: impl FnOnce() -> Result<T, E>) -> T {
    let last_error = E::last_error();
    last_error.clear();
    let err = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => return value,
        Ok(Err(err)) => err,
        Err(payload) => E::panic(format!("internal panic: {}", panic_detail(payload.as_ref()))),
    };
    last_error.record(err.kind(), err.message());
    on_error(&err)
}

fn panic_detail(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_string())
}

/// `guarded` for functions that return an `int` status (0 or a negative code).
pub(crate) fn status<E: BoundaryError>(body: impl FnOnce() -> Result<(), E>) -> i32 {
    guarded(E::code, || body().map(|()| E::SUCCESS))
}

/// `guarded` for functions that return an `int` count or a negative code.
pub(crate) fn count<E: BoundaryError>(body: impl FnOnce() -> Result<usize, E>) -> i32 {
    guarded(E::code, || {
        let n = body()?;
        i32::try_from(n).map_err(|_| E::int_overflow(format!("{n} does not fit in an int")))
    })
}

/// `guarded` for constructors that return a pointer, NULL on failure.
pub(crate) fn pointer<E: BoundaryError, T>(body: impl FnOnce() -> Result<*mut T, E>) -> *mut T {
    guarded(|_| std::ptr::null_mut(), body)
}

/// `guarded` for release functions: they never fail visibly, but a panic
/// is still caught (and recorded).
pub(crate) fn release<E: BoundaryError>(body: impl FnOnce()) {
    guarded::<E, ()>(
        |_| (),
        || {
            body();
            Ok(())
        },
    )
}
