//! Tasks and memories through `net_cortex.h`: mutations (each returning
//! its event's seq), JSON queries, counts, `wait_for_seq` and model
//! snapshots.

use std::ffi::{c_char, c_int};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use net_sdk::cortex::{CortexError, MemoriesAdapter, MemoryFilter, NetDb, TaskFilter, TaskStatus, TasksAdapter};
use net_sdk::runtime::block_on;

use super::guard;
use super::memory::write_string;
use super::netdb::{with_db, write_snapshot, NetNetDb, NETDBS};
use super::status::CortexFfiError;
use crate::args;

fn tasks(db: &NetDb) -> Result<TasksAdapter, CortexFfiError> {
    Ok(db.try_tasks()?.clone())
}

fn memories(db: &NetDb) -> Result<MemoriesAdapter, CortexFfiError> {
    Ok(db.try_memories()?.clone())
}

fn put_seq(out_seq: *mut u64, seq: u64) {
    // SAFETY: NULL or a writable u64 from the caller.
    if let Some(out) = unsafe { out_seq.as_mut() } {
        *out = seq;
    }
}

pub(crate) fn task_filter(json: *const c_char) -> Result<TaskFilter, CortexFfiError> {
    match args::optional_cstr(json, "filter_json")?.filter(|t| !t.trim().is_empty()) {
        None => Ok(TaskFilter::default()),
        Some(t) => serde_json::from_str(t).map_err(|e| CortexFfiError::invalid_json("filter_json", e)),
    }
}

pub(crate) fn memory_filter(json: *const c_char) -> Result<MemoryFilter, CortexFfiError> {
    match args::optional_cstr(json, "filter_json")?.filter(|t| !t.trim().is_empty()) {
        None => Ok(MemoryFilter::default()),
        Some(t) => serde_json::from_str(t).map_err(|e| CortexFfiError::invalid_json("filter_json", e)),
    }
}

/// Run a mutation of the tasks model and hand back its seq.
fn task_op(db: *mut NetNetDb, out_seq: *mut u64, op: impl FnOnce(&TasksAdapter) -> Result<u64, CortexFfiError>) -> c_int {
    guard::status(|| {
        let seq = with_db(db, |d| op(&tasks(d)?))?;
        put_seq(out_seq, seq);
        Ok(())
    })
}

fn memory_op(db: *mut NetNetDb, out_seq: *mut u64, op: impl FnOnce(&MemoriesAdapter) -> Result<u64, CortexFfiError>) -> c_int {
    guard::status(|| {
        let seq = with_db(db, |d| op(&memories(d)?))?;
        put_seq(out_seq, seq);
        Ok(())
    })
}

/// Create task `id` (pending) titled `title` (`title_len` bytes of UTF-8);
/// `created_at` is kept as given. Writes the event's seq to `*out_seq`
/// (may be NULL). Kinds: `cortex:exists`, `cortex:closed`,
/// `cortex:fold_halted`, `netdb:missing_model`.
#[no_mangle]
pub extern "C" fn net_netdb_tasks_create(
    db: *mut NetNetDb,
    id: u64,
    title: *const c_char,
    title_len: usize,
    created_at: u64,
    out_seq: *mut u64,
) -> c_int {
    task_op(db, out_seq, |t| Ok(t.create(id, args::text(title, title_len, "title")?, created_at)?))
}

/// Rename task `id`. Kind `cortex:not_found` if there is none.
#[no_mangle]
pub extern "C" fn net_netdb_tasks_rename(db: *mut NetNetDb, id: u64, title: *const c_char, title_len: usize, out_seq: *mut u64) -> c_int {
    task_op(db, out_seq, |t| Ok(t.rename(id, args::text(title, title_len, "title")?)?))
}

/// Set task `id`'s status: `status` is NUL-terminated `"pending"`,
/// `"in_progress"`, `"completed"` or `"cancelled"` (kind
/// `invalid_argument` otherwise).
#[no_mangle]
pub extern "C" fn net_netdb_tasks_set_status(db: *mut NetNetDb, id: u64, status: *const c_char, out_seq: *mut u64) -> c_int {
    task_op(db, out_seq, |t| {
        let text = args::optional_cstr(status, "status")?.ok_or_else(|| crate::status::FfiError::null("status"))?;
        let status: TaskStatus = text.parse().map_err(CortexFfiError::invalid_argument)?;
        Ok(t.set_status(id, status)?)
    })
}

/// Mark task `id` completed.
#[no_mangle]
pub extern "C" fn net_netdb_tasks_complete(db: *mut NetNetDb, id: u64, out_seq: *mut u64) -> c_int {
    task_op(db, out_seq, |t| Ok(t.complete(id)?))
}

/// Delete task `id`.
#[no_mangle]
pub extern "C" fn net_netdb_tasks_delete(db: *mut NetNetDb, id: u64, out_seq: *mut u64) -> c_int {
    task_op(db, out_seq, |t| Ok(t.delete(id)?))
}

/// The tasks `filter_json` selects (NUL-terminated; NULL for all):
/// `{"status": "pending", "title_contains": "...", "origin": n, "order":
/// "id_asc" | "id_desc" | "created_asc" | "created_desc" | "updated_asc" |
/// "updated_desc" | "title_asc", "limit": n}`, as a JSON array of
/// `{"id","title","status","created_at","updated_at_nanos","origin","seq"}`
/// in `*out_json` (released with `net_cortex_free_string`). Returns the
/// number of tasks.
#[no_mangle]
pub extern "C" fn net_netdb_tasks_query(db: *mut NetNetDb, filter_json: *const c_char, out_json: *mut *mut c_char) -> c_int {
    guard::count(|| {
        let filter = task_filter(filter_json)?;
        let list = with_db(db, |d| Ok(tasks(d)?.list(&filter)))?;
        write_string(out_json, &serde_json::to_string(&list).expect("tasks serialize"))?;
        Ok(list.len())
    })
}

/// How many tasks `filter_json` selects (NULL: all of them).
#[no_mangle]
pub extern "C" fn net_netdb_tasks_count(db: *mut NetNetDb, filter_json: *const c_char) -> c_int {
    guard::count(|| {
        let filter = task_filter(filter_json)?;
        with_db(db, |d| Ok(tasks(d)?.count_where(&filter)))
    })
}

/// A boxed `wait_for_seq` future of one model.
type SeqWait = Pin<Box<dyn Future<Output = Result<(), CortexError>> + Send>>;

fn wait(db: *mut NetNetDb, timeout_ms: u32, fut: impl FnOnce(&NetDb) -> Result<SeqWait, CortexFfiError>) -> c_int {
    guard::status(|| {
        let handle = NETDBS.get(db, "netdb")?;
        let future = fut(&handle.db)?;
        let limit = Duration::from_millis(u64::from(timeout_ms));
        match block_on(async move { tokio::time::timeout(limit, future).await }) {
            Err(_) => Err(CortexFfiError::timeout("wait_for_seq")),
            Ok(result) => Ok(result?),
        }
    })
}

/// Wait up to `timeout_ms` until the tasks event at `seq` is folded.
/// `NET_CORTEX_ERR_TIMEOUT` (kind `timeout`) if it is not by then.
#[no_mangle]
pub extern "C" fn net_netdb_tasks_wait_for_seq(db: *mut NetNetDb, seq: u64, timeout_ms: u32) -> c_int {
    wait(db, timeout_ms, |d| {
        let t = tasks(d)?;
        Ok(Box::pin(async move { t.wait_for_seq(seq).await }))
    })
}

/// The tasks model's snapshot (JSON text: its state and the seq it
/// covers) in `*out_json`, released with `net_cortex_free_string`; feed
/// its bytes to `net_netdb_open_from_tasks_snapshot`. Kind
/// `netdb:missing_model` if the NetDb has no tasks model.
#[no_mangle]
pub extern "C" fn net_netdb_tasks_snapshot(db: *mut NetNetDb, out_json: *mut *mut c_char) -> c_int {
    guard::status(|| write_snapshot(out_json, with_db(db, |d| Ok(tasks(d)?.snapshot().to_bytes()))?))
}

/// Store memory `id` with `content` (`content_len` bytes of UTF-8) and
/// `tags_json` (NUL-terminated JSON array of strings; NULL for none);
/// `created_at` is kept as given.
#[no_mangle]
pub extern "C" fn net_netdb_memories_store(
    db: *mut NetNetDb,
    id: u64,
    content: *const c_char,
    content_len: usize,
    tags_json: *const c_char,
    created_at: u64,
    out_seq: *mut u64,
) -> c_int {
    memory_op(db, out_seq, |m| {
        let content = args::text(content, content_len, "content")?;
        let tags: Vec<String> = match args::optional_cstr(tags_json, "tags_json")? {
            None => Vec::new(),
            Some(t) => serde_json::from_str(t).map_err(|e| CortexFfiError::invalid_json("tags_json", e))?,
        };
        Ok(m.store(id, content, &tags, created_at)?)
    })
}

/// Add `tag` (`tag_len` bytes) to memory `id`.
#[no_mangle]
pub extern "C" fn net_netdb_memories_tag(db: *mut NetNetDb, id: u64, tag: *const c_char, tag_len: usize, out_seq: *mut u64) -> c_int {
    memory_op(db, out_seq, |m| Ok(m.tag(id, args::text(tag, tag_len, "tag")?)?))
}

/// Remove `tag` from memory `id`.
#[no_mangle]
pub extern "C" fn net_netdb_memories_untag(db: *mut NetNetDb, id: u64, tag: *const c_char, tag_len: usize, out_seq: *mut u64) -> c_int {
    memory_op(db, out_seq, |m| Ok(m.untag(id, args::text(tag, tag_len, "tag")?)?))
}

/// Pin (`pinned` non-zero) or unpin memory `id`.
#[no_mangle]
pub extern "C" fn net_netdb_memories_pin(db: *mut NetNetDb, id: u64, pinned: c_int, out_seq: *mut u64) -> c_int {
    memory_op(db, out_seq, |m| Ok(if pinned != 0 { m.pin(id)? } else { m.unpin(id)? }))
}

/// Delete memory `id`.
#[no_mangle]
pub extern "C" fn net_netdb_memories_delete(db: *mut NetNetDb, id: u64, out_seq: *mut u64) -> c_int {
    memory_op(db, out_seq, |m| Ok(m.delete(id)?))
}

/// The memories `filter_json` selects (NULL for all): `{"tags_all":
/// [...], "tags_any": [...], "content_contains": "...", "pinned": bool,
/// "origin": n, "order": "id_asc" | "id_desc" | "created_asc" |
/// "created_desc" | "updated_asc" | "updated_desc", "limit": n}`, as a
/// JSON array in `*out_json`. Returns the number of memories.
#[no_mangle]
pub extern "C" fn net_netdb_memories_query(db: *mut NetNetDb, filter_json: *const c_char, out_json: *mut *mut c_char) -> c_int {
    guard::count(|| {
        let filter = memory_filter(filter_json)?;
        let list = with_db(db, |d| Ok(memories(d)?.list(&filter)))?;
        write_string(out_json, &serde_json::to_string(&list).expect("memories serialize"))?;
        Ok(list.len())
    })
}

/// How many memories `filter_json` selects (NULL: all of them).
#[no_mangle]
pub extern "C" fn net_netdb_memories_count(db: *mut NetNetDb, filter_json: *const c_char) -> c_int {
    guard::count(|| {
        let filter = memory_filter(filter_json)?;
        with_db(db, |d| Ok(memories(d)?.count_where(&filter)))
    })
}

/// Wait up to `timeout_ms` until the memories event at `seq` is folded.
#[no_mangle]
pub extern "C" fn net_netdb_memories_wait_for_seq(db: *mut NetNetDb, seq: u64, timeout_ms: u32) -> c_int {
    wait(db, timeout_ms, |d| {
        let m = memories(d)?;
        Ok(Box::pin(async move { m.wait_for_seq(seq).await }))
    })
}

/// The memories model's snapshot in `*out_json`, for
/// `net_netdb_open_from_memories_snapshot`; as `net_netdb_tasks_snapshot`.
#[no_mangle]
pub extern "C" fn net_netdb_memories_snapshot(db: *mut NetNetDb, out_json: *mut *mut c_char) -> c_int {
    guard::status(|| write_snapshot(out_json, with_db(db, |d| Ok(memories(d)?.snapshot().to_bytes()))?))
}
