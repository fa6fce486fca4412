//! RedEX tails: `net_redex_file_tail`, `net_redex_tail_next` (a blocking
//! wait with a timeout, since C has no async), `net_redex_tail_free`.

use std::ffi::c_int;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use net_sdk::cortex::{RedexError, RedexEvent, RedexTail};
use net_sdk::runtime::block_on;
use parking_lot::Mutex;

use super::file::{NetRedexFile, FILES};
use super::guard;
use super::memory::{empty_events, fill_events, NetRedexEvents};
use super::status::CortexFfiError;
use crate::args;
use crate::registry::Registry;

/// A tail of a RedEX file (opaque). Created by `net_redex_file_tail`,
/// released by `net_redex_tail_free`.
pub struct NetRedexTail {
    /// `None` while a `net_redex_tail_next` call is waiting on it.
    stream: Mutex<Option<TailState>>,
}

struct TailState {
    tail: RedexTail,
    /// An error met after some records were collected, reported next call.
    deferred: Option<RedexError>,
    ended: bool,
}

static TAILS: Registry<NetRedexTail> = Registry::new();

/// Start a tail at `from_seq`: it yields the retained records from there
/// (backfill), then each new append, none missed or repeated between the
/// two. Returns a handle owned by the caller, released with
/// `net_redex_tail_free`, or NULL.
#[no_mangle]
pub extern "C" fn net_redex_file_tail(file: *mut NetRedexFile, from_seq: u64) -> *mut NetRedexTail {
    guard::pointer(|| {
        let tail = FILES.with(file, "file", |f| f.file.tail(from_seq))?;
        let state = TailState { tail, deferred: None, ended: false };
        Ok(TAILS.insert(NetRedexTail { stream: Mutex::new(Some(state)) })?)
    })
}

fn ended() -> CortexFfiError {
    CortexFfiError::new(
        super::status::NetCortexStatus::NET_CORTEX_ERR_CLOSED,
        "redex:closed",
        "the tail ended: its file was closed and every record was delivered",
    )
}

/// Wait up to `timeout_ms` for records, then copy up to `max` (at least 1)
/// that are ready into `*out` (released with `net_redex_events_free`).
/// Returns the number of records, 0 when the timeout passed first, or a
/// negative code: `NET_CORTEX_ERR_CLOSED` once the file was closed and
/// everything was delivered (the normal end); `NET_CORTEX_ERR_TAIL_LAGGED`
/// when retention evicted records the tail had not delivered (the next
/// call continues from the oldest retained record). Calls on one tail
/// must not overlap (kind `invalid_argument`).
#[no_mangle]
pub extern "C" fn net_redex_tail_next(tail: *mut NetRedexTail, max: usize, timeout_ms: u32, out: *mut NetRedexEvents) -> c_int {
    guard::count(|| {
        let out = args::out(out, "out")?;
        *out = empty_events();
        let handle = TAILS.get(tail, "tail")?;
        let mut state = {
            let mut slot = handle.stream.lock();
            let state = slot.as_mut().ok_or_else(|| {
                CortexFfiError::invalid_argument("net_redex_tail_next is already running on this tail")
            })?;
            if let Some(e) = state.deferred.take() {
                return Err(e.into());
            }
            if state.ended {
                return Err(ended());
            }
            slot.take().expect("checked above")
        };
        let max = max.max(1);
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        let (state_back, events, error, done) = block_on(async move {
            let mut events: Vec<RedexEvent> = Vec::new();
            let mut error = None;
            let mut done = false;
            let mut next = match tokio::time::timeout(timeout, state.tail.next()).await {
                Err(_) => return (state, events, error, done),
                Ok(item) => Some(item),
            };
            while let Some(item) = next.take() {
                match item {
                    None => done = true,
                    Some(Err(e)) => error = Some(e),
                    Some(Ok(e)) => {
                        events.push(e);
                        if events.len() < max {
                            next = state.tail.next().now_or_never();
                        }
                    }
                }
            }
            (state, events, error, done)
        });
        let mut state = state_back;
        state.ended = done;
        let result = if events.is_empty() {
            match error {
                Some(e) => Err(e.into()),
                None if done => Err(ended()),
                None => Ok(0),
            }
        } else {
            state.deferred = error;
            fill_events(out, &events).map(|()| events.len())
        };
        *handle.stream.lock() = Some(state);
        result
    })
}

/// Release a tail. NULL is a no-op; a stale handle is ignored. Must not
/// overlap a `net_redex_tail_next` on the same tail.
#[no_mangle]
pub extern "C" fn net_redex_tail_free(tail: *mut NetRedexTail) {
    guard::release(|| {
        if !tail.is_null() {
            let _ = TAILS.remove(tail, "tail");
        }
    })
}
