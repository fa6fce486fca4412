//! The one process-global tokio runtime used by the C ABI and the bindings.
//!
//! Rust users bring their own runtime (`#[tokio::main]`); foreign callers
//! have none, so the FFI and the bindings block on this one. It is created
//! on first use and lives for the rest of the process: C hosts call in
//! from arbitrary threads, and tearing a runtime down under them would
//! strand their handles.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The shared multi-thread runtime, started on first call.
pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("net-runtime")
            .enable_all()
            .build()
            .expect("the Net runtime could not start: the OS refused threads or timers")
    })
}

/// Run `future` to completion from synchronous code.
///
/// Called from inside a runtime worker (a Rust caller that is already
/// async), blocking in place would stall that runtime, so the future is
/// handed to the shared runtime and this thread waits on its result
/// instead.
pub fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if Handle::try_current().is_ok() {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        runtime().spawn(async move {
            let _ = tx.send(future.await);
        });
        tokio::task::block_in_place(|| rx.recv().expect("the Net runtime dropped a task"))
    } else {
        runtime().block_on(future)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_is_shared_and_runs_futures() {
        assert!(std::ptr::eq(runtime(), runtime()));
        assert_eq!(block_on(async { 40 + 2 }), 42);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn block_on_from_inside_a_runtime_does_not_deadlock() {
        let out = tokio::task::spawn_blocking(|| block_on(async { 7 })).await.unwrap();
        assert_eq!(out, 7);
        assert_eq!(block_on(async { 8 }), 8);
    }
}
