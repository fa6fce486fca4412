//! Keeping native threads out of Python once the interpreter is exiting.
//!
//! An async subscription completes its asyncio future from a runtime
//! thread, which must take the GIL to do so. If that thread asks for the
//! GIL while the interpreter is finalizing, CPython ends the thread with
//! `pthread_exit`, whose forced unwind through Rust frames aborts the whole
//! process — after the program had finished and printed everything (seen
//! once in ~100 runs of the quickstart, as a bare `Aborted`).
//!
//! So every such call goes through [`with_gil_unless_exiting`], and an
//! `atexit` hook — which CPython runs before it starts finalizing, with
//! the GIL held — first says "exiting", then lets go of the GIL and waits
//! for the calls already on their way in. Dekker's pattern on two SeqCst
//! atomics: a call either sees the flag and stays out, or is counted in
//! and waited for.

use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

static EXITING: AtomicBool = AtomicBool::new(false);
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// How long the exit hook waits for native calls into Python to finish: a
/// delivery takes microseconds, so this only bounds a pathological case.
const EXIT_WAIT: Duration = Duration::from_secs(2);

/// Counts a native call into Python out again, also on unwind.
struct Counted;

impl Drop for Counted {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, SeqCst);
    }
}

/// Run `f` with the GIL from a thread Python did not start, unless the
/// interpreter is exiting (then `None`: the caller drops what it meant to
/// deliver — nobody is left to receive it).
pub(crate) fn with_gil_unless_exiting<R>(f: impl FnOnce(Python<'_>) -> R) -> Option<R> {
    IN_FLIGHT.fetch_add(1, SeqCst);
    let _counted = Counted;
    if EXITING.load(SeqCst) {
        return None;
    }
    Some(Python::with_gil(f))
}

/// The `atexit` hook: no native call may enter Python after it returns.
#[pyfunction]
pub(crate) fn _before_exit(py: Python<'_>) {
    EXITING.store(true, SeqCst);
    py.allow_threads(|| {
        let deadline = Instant::now() + EXIT_WAIT;
        while IN_FLIGHT.load(SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(200));
        }
    });
}

/// Register the hook with `atexit` (from the module's initialisation); it
/// is also the module's `_before_exit`, so tests can run it early.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(_before_exit, m)?;
    m.add_function(hook.clone())?;
    m.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}

