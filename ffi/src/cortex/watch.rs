//! Watches through `net_cortex.h`: `net_netdb_*_watch`,
//! `net_netdb_*_snapshot_and_watch`, `net_netdb_watch_next` (a blocking
//! wait with a timeout), `net_netdb_watch_free`. Result batches are JSON
//! arrays, the same shape as the queries return.

use std::ffi::{c_char, c_int};
use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use net_sdk::cortex::WatchStream;
use net_sdk::runtime::block_on;
use parking_lot::Mutex;
use serde::Serialize;

use super::guard;
use super::memory::write_string;
use super::models::{memory_filter, task_filter};
use super::netdb::{with_db, NetNetDb};
use super::status::{CortexFfiError, NetCortexStatus};
use crate::args;
use crate::registry::Registry;

type Batches = Pin<Box<dyn Stream<Item = String> + Send>>;

/// A watch of a NetDb query (opaque). Created by the `net_netdb_*_watch`
/// functions, released by `net_netdb_watch_free`.
pub struct NetNetDbWatch {
    /// `None` while a `net_netdb_watch_next` call is waiting on it.
    state: Mutex<Option<WatchState>>,
}

struct WatchState {
    batches: Batches,
    ended: bool,
}

static WATCHES: Registry<NetNetDbWatch> = Registry::new();

fn as_json<T: Serialize, S>(stream: S) -> Batches
where
    S: Stream<Item = Vec<T>> + Send + 'static,
{
    Box::pin(stream.map(|batch| serde_json::to_string(&batch).expect("results serialize")))
}

fn register(batches: Batches) -> Result<*mut NetNetDbWatch, CortexFfiError> {
    Ok(WATCHES.insert(NetNetDbWatch { state: Mutex::new(Some(WatchState { batches, ended: false })) })?)
}

/// The `*_snapshot_and_watch` result of either model: the snapshot as JSON
/// in `*out_snapshot_json`, and the registered watch of what follows it.
fn register_after_snapshot<T: Serialize + Send + 'static>(
    out_snapshot_json: *mut *mut c_char,
    (snapshot, stream): (Vec<T>, WatchStream<T>),
) -> Result<*mut NetNetDbWatch, CortexFfiError> {
    write_string(out_snapshot_json, &serde_json::to_string(&snapshot).expect("results serialize"))?;
    register(as_json(stream))
}

/// Watch the tasks `filter_json` selects (same JSON as
/// `net_netdb_tasks_query`; NULL for all): the first batch is the current
/// result, then a batch each time the result changes. Returns a handle
/// owned by the caller, released with `net_netdb_watch_free`, or NULL.
#[no_mangle]
pub extern "C" fn net_netdb_tasks_watch(db: *mut NetNetDb, filter_json: *const c_char) -> *mut NetNetDbWatch {
    guard::pointer(|| {
        let filter = task_filter(filter_json)?;
        let stream = with_db(db, |d| Ok(d.try_tasks()?.watch().filter(filter).stream()))?;
        register(as_json(stream))
    })
}

/// The current result of `filter_json` in `*out_snapshot_json` (released
/// with `net_cortex_free_string`) and a watch of later differing results,
/// taken atomically: a mutation racing this call is in the snapshot or
/// comes out of the watch.
#[no_mangle]
pub extern "C" fn net_netdb_tasks_snapshot_and_watch(
    db: *mut NetNetDb,
    filter_json: *const c_char,
    out_snapshot_json: *mut *mut c_char,
) -> *mut NetNetDbWatch {
    guard::pointer(|| {
        args::out(out_snapshot_json, "out_snapshot_json")?;
        let filter = task_filter(filter_json)?;
        let watched = with_db(db, |d| {
            let t = d.try_tasks()?;
            Ok(t.snapshot_and_watch(t.watch().filter(filter)))
        })?;
        register_after_snapshot(out_snapshot_json, watched)
    })
}

/// Watch the memories `filter_json` selects (same JSON as
/// `net_netdb_memories_query`).
#[no_mangle]
pub extern "C" fn net_netdb_memories_watch(db: *mut NetNetDb, filter_json: *const c_char) -> *mut NetNetDbWatch {
    guard::pointer(|| {
        let filter = memory_filter(filter_json)?;
        let stream = with_db(db, |d| Ok(d.try_memories()?.watch().filter(filter).stream()))?;
        register(as_json(stream))
    })
}

/// Memories version of `net_netdb_tasks_snapshot_and_watch`.
#[no_mangle]
pub extern "C" fn net_netdb_memories_snapshot_and_watch(
    db: *mut NetNetDb,
    filter_json: *const c_char,
    out_snapshot_json: *mut *mut c_char,
) -> *mut NetNetDbWatch {
    guard::pointer(|| {
        args::out(out_snapshot_json, "out_snapshot_json")?;
        let filter = memory_filter(filter_json)?;
        let watched = with_db(db, |d| {
            let m = d.try_memories()?;
            Ok(m.snapshot_and_watch(m.watch().filter(filter)))
        })?;
        register_after_snapshot(out_snapshot_json, watched)
    })
}

/// Wait up to `timeout_ms` for the next result batch and write it as a
/// JSON array to `*out_json` (released with `net_cortex_free_string`).
/// Returns 1 with a batch, 0 when the timeout passed first (`*out_json`
/// NULL), or `NET_CORTEX_ERR_CLOSED` (kind `cortex:closed`) once the NetDb
/// was closed. Calls on one watch must not overlap.
#[no_mangle]
pub extern "C" fn net_netdb_watch_next(watch: *mut NetNetDbWatch, timeout_ms: u32, out_json: *mut *mut c_char) -> c_int {
    guard::count(|| {
        *args::out(out_json, "out_json")? = std::ptr::null_mut();
        let handle = WATCHES.get(watch, "watch")?;
        let mut state = {
            let mut slot = handle.state.lock();
            let state = slot.as_ref().ok_or_else(|| {
                CortexFfiError::invalid_argument("net_netdb_watch_next is already running on this watch")
            })?;
            if state.ended {
                return Err(ended());
            }
            slot.take().expect("checked above")
        };
        let limit = Duration::from_millis(u64::from(timeout_ms));
        let (state_back, got) = block_on(async move {
            let got = tokio::time::timeout(limit, state.batches.next()).await;
            (state, got)
        });
        state = state_back;
        let result = match got {
            Err(_) => Ok(0),
            Ok(None) => {
                state.ended = true;
                Err(ended())
            }
            Ok(Some(batch)) => write_string(out_json, &batch).map(|()| 1),
        };
        *handle.state.lock() = Some(state);
        result
    })
}

fn ended() -> CortexFfiError {
    CortexFfiError::new(NetCortexStatus::NET_CORTEX_ERR_CLOSED, "cortex:closed", "the watch ended: its NetDb was closed")
}

/// Release a watch. NULL is a no-op; a stale handle is ignored.
#[no_mangle]
pub extern "C" fn net_netdb_watch_free(watch: *mut NetNetDbWatch) {
    guard::release(|| {
        if !watch.is_null() {
            let _ = WATCHES.remove(watch, "watch");
        }
    })
}
