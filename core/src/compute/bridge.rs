//! The foreign-call bridge: a daemon written in another language runs its
//! callbacks on a thread the runtime does not own (the JS main thread, a
//! Python thread holding the GIL, a Go goroutine). Its Rust side sends each
//! call to that thread and waits for the answer — at most a bounded time.
//!
//! [`foreign_channel`] gives a [`ForeignCaller`] (cloneable, used by the
//! daemon's Rust side) and a [`ForeignServer`] (held by the serving thread).
//! [`ForeignCaller::call`] fails with a typed error instead of hanging:
//!
//! - `CallbackTimeout` when no answer comes within the bound (a blocked or
//!   busy serving thread);
//! - `Reentrant` at once when the calling thread is the serving thread
//!   itself (it could never answer: a callback that calls back into its
//!   own daemon);
//! - `CallbackDropped` when the serving side dropped the call or went away.
//!
//! A late answer to a call that timed out is discarded
//! ([`ForeignCall::reply`] returns `false`).
//!
//! A serving thread that runs an event loop (the JS thread) cannot block
//! in `recv`: [`ForeignCaller::with_notify`] gives it a wake-up run after
//! each call is queued, and it drains the queue with `try_recv`.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::Arc;
use std::thread::{self, ThreadId};
use std::time::Duration;

use parking_lot::Mutex;

use super::error::ComputeDaemonError;

struct Shared {
    serving_thread: Mutex<Option<ThreadId>>,
}

/// Run after a call is queued, to wake the serving thread.
type Notify = Arc<dyn Fn() + Send + Sync>;

/// The calling side of a foreign-call channel.
pub struct ForeignCaller<Req, Resp> {
    tx: Sender<ForeignCall<Req, Resp>>,
    shared: Arc<Shared>,
    timeout: Duration,
    notify: Option<Notify>,
}

impl<Req, Resp> Clone for ForeignCaller<Req, Resp> {
    fn clone(&self) -> Self {
        ForeignCaller {
            tx: self.tx.clone(),
            shared: self.shared.clone(),
            timeout: self.timeout,
            notify: self.notify.clone(),
        }
    }
}

/// Tells whether the calling thread is a channel's serving thread, without
/// making a call: a host asks it before taking a daemon's lock, since a
/// call from the serving thread would wait on the very call it serves.
#[derive(Clone)]
pub struct ServingThread {
    shared: Arc<Shared>,
}

impl ServingThread {
    /// Whether the current thread serves the channel right now.
    pub fn is_current(&self) -> bool {
        *self.shared.serving_thread.lock() == Some(thread::current().id())
    }
}

/// The serving side: the thread that answers calls.
pub struct ForeignServer<Req, Resp> {
    rx: Receiver<ForeignCall<Req, Resp>>,
    shared: Arc<Shared>,
}

/// One call waiting for its answer.
pub struct ForeignCall<Req, Resp> {
    /// What the caller asks.
    pub request: Req,
    reply: SyncSender<Resp>,
}

impl<Req, Resp> ForeignCall<Req, Resp> {
    /// Answer the call. `false` when the caller no longer waits (it timed
    /// out): the answer is dropped.
    pub fn reply(self, resp: Resp) -> bool {
        self.reply.try_send(resp).is_ok()
    }
}

/// A caller/server pair whose calls wait at most `timeout`.
pub fn foreign_channel<Req, Resp>(timeout: Duration) -> (ForeignCaller<Req, Resp>, ForeignServer<Req, Resp>) {
    let (tx, rx) = mpsc::channel();
    let shared = Arc::new(Shared { serving_thread: Mutex::new(None) });
    (ForeignCaller { tx, shared: shared.clone(), timeout, notify: None }, ForeignServer { rx, shared })
}

impl<Req, Resp> ForeignCaller<Req, Resp> {
    /// The bound on each call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The same channel with another bound (e.g. a daemon's
    /// `callback_timeout_ms`, known only at spawn).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The probe for this channel's serving thread.
    pub fn serving_thread(&self) -> ServingThread {
        ServingThread { shared: self.shared.clone() }
    }

    /// The same channel, running `notify` after each call is queued (not
    /// for a call refused before it is sent): the wake-up of a serving
    /// thread that runs an event loop and drains calls with `try_recv`
    /// (a JS thread woken by a thread-safe function) instead of blocking
    /// in `recv`.
    pub fn with_notify(mut self, notify: impl Fn() + Send + Sync + 'static) -> Self {
        self.notify = Some(Arc::new(notify));
        self
    }

    /// Send `request` to the serving thread and wait for its answer, at
    /// most the channel's bound.
    pub fn call(&self, request: Req) -> Result<Resp, ComputeDaemonError> {
        if self.serving_thread().is_current() {
            return Err(ComputeDaemonError::Reentrant("the serving thread called itself".into()));
        }
        let (reply, answer) = mpsc::sync_channel(1);
        self.tx.send(ForeignCall { request, reply }).map_err(|_| ComputeDaemonError::CallbackDropped)?;
        if let Some(notify) = &self.notify {
            notify();
        }
        match answer.recv_timeout(self.timeout) {
            Ok(resp) => Ok(resp),
            Err(RecvTimeoutError::Timeout) => {
                Err(ComputeDaemonError::CallbackTimeout { timeout_ms: self.timeout.as_millis() as u64 })
            }
            Err(RecvTimeoutError::Disconnected) => Err(ComputeDaemonError::CallbackDropped),
        }
    }
}

impl<Req, Resp> ForeignServer<Req, Resp> {
    /// Mark the current thread as the one that serves calls, so a call made
    /// from it is refused as re-entrant. `recv*` do this too.
    pub fn bind_current_thread(&self) {
        *self.shared.serving_thread.lock() = Some(thread::current().id());
    }

    /// The next call, waiting for one; `None` when every caller is gone.
    pub fn recv(&self) -> Option<ForeignCall<Req, Resp>> {
        self.bind_current_thread();
        self.rx.recv().ok()
    }

    /// The next call, waiting at most `timeout`; `None` on timeout or when
    /// every caller is gone.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<ForeignCall<Req, Resp>> {
        self.bind_current_thread();
        self.rx.recv_timeout(timeout).ok()
    }

    /// The next call if one is queued.
    pub fn try_recv(&self) -> Option<ForeignCall<Req, Resp>> {
        self.bind_current_thread();
        self.rx.try_recv().ok()
    }

    /// Answer every call with `f` until every caller is gone.
    pub fn serve(&self, mut f: impl FnMut(Req) -> Resp) {
        while let Some(call) = self.recv() {
            let resp = f(call.request);
            call.reply.try_send(resp).ok();
        }
    }
}

impl<Req, Resp> Drop for ForeignServer<Req, Resp> {
    fn drop(&mut self) {
        *self.shared.serving_thread.lock() = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_served_call_returns_the_answer() {
        let (caller, server) = foreign_channel::<u32, u32>(Duration::from_secs(5));
        let t = thread::spawn(move || server.serve(|x| x * 2));
        assert_eq!(caller.call(21).unwrap(), 42);
        drop(caller);
        t.join().unwrap();
    }

    #[test]
    fn a_server_that_never_answers_times_out_and_a_late_reply_is_dropped() {
        let (caller, server) = foreign_channel::<u32, u32>(Duration::from_millis(100));
        let (held_tx, held_rx) = mpsc::channel();
        let t = thread::spawn(move || {
            let call = server.recv().unwrap();
            held_tx.send(()).unwrap();
            thread::sleep(Duration::from_millis(300));
            call.reply(1)
        });
        let start = Instant::now();
        assert_eq!(caller.call(7), Err(ComputeDaemonError::CallbackTimeout { timeout_ms: 100 }));
        assert!(start.elapsed() >= Duration::from_millis(100));
        held_rx.recv().unwrap();
        assert!(!t.join().unwrap(), "the late answer must find no waiting caller");
    }

    #[test]
    fn a_call_from_the_serving_thread_is_refused_at_once() {
        let (caller, server) = foreign_channel::<u32, u32>(Duration::from_secs(30));
        let inner = caller.clone();
        let t = thread::spawn(move || {
            let call = server.recv().unwrap();
            let start = Instant::now();
            let nested = inner.call(call.request + 1);
            call.reply(0);
            (nested, start.elapsed())
        });
        assert_eq!(caller.call(1).unwrap(), 0);
        let (nested, took) = t.join().unwrap();
        assert!(matches!(nested, Err(ComputeDaemonError::Reentrant(_))));
        assert!(took < Duration::from_secs(1));
    }

    #[test]
    fn a_notified_server_that_only_polls_answers_and_a_refused_call_notifies_nothing() {
        let (wake_tx, wake_rx) = mpsc::channel::<()>();
        let wakes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = wakes.clone();
        let (caller, server) = foreign_channel::<u32, u32>(Duration::from_secs(5));
        let caller = caller.with_notify(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            wake_tx.send(()).ok();
        });
        let inner = caller.clone().with_timeout(Duration::from_secs(30));
        let t = thread::spawn(move || {
            // An event loop: woken by the notify, it never blocks in recv.
            // The nested caller is dropped after its one call, so the loop
            // ends when the test drops the last caller (and its notify).
            let (mut inner, mut nested) = (Some(inner), None);
            while wake_rx.recv().is_ok() {
                while let Some(call) = server.try_recv() {
                    if let Some(c) = inner.take() {
                        nested = Some(c.call(call.request));
                    }
                    let x = call.request;
                    call.reply(x + 1);
                }
            }
            nested
        });
        assert_eq!(caller.call(1).unwrap(), 2);
        assert_eq!(caller.call(41).unwrap(), 42);
        assert_eq!(wakes.load(std::sync::atomic::Ordering::SeqCst), 2, "one wake per queued call, none for the refused one");
        drop(caller);
        assert!(matches!(t.join().unwrap(), Some(Err(ComputeDaemonError::Reentrant(_)))));
    }

    #[test]
    fn a_dropped_server_or_call_is_reported() {
        let (caller, server) = foreign_channel::<u32, u32>(Duration::from_secs(5));
        let t = thread::spawn(move || drop(server.recv().unwrap()));
        assert_eq!(caller.call(1), Err(ComputeDaemonError::CallbackDropped));
        t.join().unwrap();
        assert_eq!(caller.call(2), Err(ComputeDaemonError::CallbackDropped));
    }
}
