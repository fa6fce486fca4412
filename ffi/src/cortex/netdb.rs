//! NetDb handles: `net_netdb_open`, `net_netdb_open_from_snapshot`,
//! `net_netdb_open_from_tasks_snapshot`,
//! `net_netdb_open_from_memories_snapshot`, `net_netdb_snapshot`,
//! `net_netdb_close`, `net_netdb_free`.

use std::ffi::{c_char, c_int};

use net_sdk::cortex::{MemoriesSnapshot, NetDb, NetDbBuilder, NetDbError, NetDbSnapshot, TasksSnapshot};

use super::config::{netdb_config, NetDbConfigJson};
use super::manager::{redex_of, NetRedex};
use super::memory::write_string;
use super::status::CortexFfiError;
use super::guard;
use crate::args;
use crate::registry::Registry;

/// A NetDb (opaque): tasks and memories event-sourced on a RedEX manager.
/// Created by `net_netdb_open` and the `net_netdb_open_from_*snapshot`
/// functions, released by `net_netdb_free`.
pub struct NetNetDb {
    pub(crate) db: NetDb,
}

pub(crate) static NETDBS: Registry<NetNetDb> = Registry::new();

pub(crate) fn with_db<R>(db: *mut NetNetDb, f: impl FnOnce(&NetDb) -> Result<R, CortexFfiError>) -> Result<R, CortexFfiError> {
    NETDBS.with(db, "netdb", |h| f(&h.db))?
}

/// The builder `config_json` describes, and its model flags (`with_tasks`,
/// `with_memories`) not yet applied.
fn configured(redex: *mut NetRedex, config_json: *const c_char) -> Result<(NetDbBuilder, bool, bool), CortexFfiError> {
    let redex = redex_of(redex)?;
    let NetDbConfigJson { origin, persistent, with_tasks, with_memories, file } =
        netdb_config(args::optional_cstr(config_json, "config_json")?)?;
    let mut b = NetDb::builder(redex).origin(origin).persistent(persistent);
    if let Some(file) = file {
        b = b.file_config(file.into_config()?);
    }
    Ok((b, with_tasks, with_memories))
}

fn builder(redex: *mut NetRedex, config_json: *const c_char) -> Result<NetDbBuilder, CortexFfiError> {
    let (mut b, with_tasks, with_memories) = configured(redex, config_json)?;
    if with_tasks {
        b = b.with_tasks();
    }
    if with_memories {
        b = b.with_memories();
    }
    Ok(b)
}

/// Open a NetDb on `redex` with `config_json` (NUL-terminated; NULL for
/// none of the models): `{"origin": n, "persistent": bool, "with_tasks":
/// bool, "with_memories": bool, "file": {file configuration as for
/// net_redex_open_file}}`. A persistent NetDb folds its logs back on
/// open. Returns a handle owned by the caller, released with
/// `net_netdb_free`, or NULL (kinds `invalid_json`, `cortex:io`,
/// `cortex:fold_halted`, ...).
#[no_mangle]
pub extern "C" fn net_netdb_open(redex: *mut NetRedex, config_json: *const c_char) -> *mut NetNetDb {
    guard::pointer(|| {
        let db = builder(redex, config_json)?.build()?;
        Ok(NETDBS.insert(NetNetDb { db })?)
    })
}

/// Open a NetDb on top of a bundle made by `net_netdb_snapshot`
/// (`bundle_len` bytes), folding only events after it. Kinds on failure:
/// `netdb:bundle`, `netdb:missing_model`, and those of `net_netdb_open`.
#[no_mangle]
pub extern "C" fn net_netdb_open_from_snapshot(
    redex: *mut NetRedex,
    config_json: *const c_char,
    bundle: *const u8,
    bundle_len: usize,
) -> *mut NetNetDb {
    guard::pointer(|| {
        let bytes = args::bytes(bundle, bundle_len, "bundle")?;
        let bundle = NetDbSnapshot::from_bytes(bytes)?;
        let db = builder(redex, config_json)?.build_from_snapshot(&bundle)?;
        Ok(NETDBS.insert(NetNetDb { db })?)
    })
}

/// A NetDb holding one model alone, which `restore` builds from the
/// snapshot's bytes.
fn open_restored(
    redex: *mut NetRedex,
    config_json: *const c_char,
    snapshot: *const u8,
    snapshot_len: usize,
    restore: fn(NetDbBuilder, &[u8]) -> Result<NetDb, NetDbError>,
) -> *mut NetNetDb {
    guard::pointer(|| {
        let bytes = args::bytes(snapshot, snapshot_len, "snapshot")?;
        let (b, ..) = configured(redex, config_json)?;
        Ok(NETDBS.insert(NetNetDb { db: restore(b, bytes)? })?)
    })
}

/// Open a NetDb holding only the tasks model, restored from a snapshot
/// made by `net_netdb_tasks_snapshot` (`snapshot_len` bytes): the
/// snapshot's state, then the events its log holds after it.
/// `config_json` is as for `net_netdb_open`; its model flags are ignored.
/// Returns a handle owned by the caller, released with `net_netdb_free`,
/// or NULL. Kinds on failure: `netdb:bundle` (not a tasks snapshot:
/// garbage, truncated, another model's; or a log that no longer holds the
/// events after it), and those of `net_netdb_open`.
#[no_mangle]
pub extern "C" fn net_netdb_open_from_tasks_snapshot(
    redex: *mut NetRedex,
    config_json: *const c_char,
    snapshot: *const u8,
    snapshot_len: usize,
) -> *mut NetNetDb {
    open_restored(redex, config_json, snapshot, snapshot_len, |b, bytes| {
        let tasks = TasksSnapshot::from_bytes(bytes)?;
        b.with_tasks().build_from_snapshot(&NetDbSnapshot::new(Some(tasks), None))
    })
}

/// Open a NetDb holding only the memories model, restored from a snapshot
/// made by `net_netdb_memories_snapshot`; as
/// `net_netdb_open_from_tasks_snapshot`.
#[no_mangle]
pub extern "C" fn net_netdb_open_from_memories_snapshot(
    redex: *mut NetRedex,
    config_json: *const c_char,
    snapshot: *const u8,
    snapshot_len: usize,
) -> *mut NetNetDb {
    open_restored(redex, config_json, snapshot, snapshot_len, |b, bytes| {
        let memories = MemoriesSnapshot::from_bytes(bytes)?;
        b.with_memories().build_from_snapshot(&NetDbSnapshot::new(None, Some(memories)))
    })
}

/// A snapshot's bytes (JSON) in `*out_json` as a library string.
pub(crate) fn write_snapshot(out_json: *mut *mut c_char, bytes: Vec<u8>) -> Result<(), CortexFfiError> {
    write_string(out_json, &String::from_utf8(bytes).expect("snapshots are JSON text"))
}

/// Every model's snapshot, bundled (JSON text), in `*out_json`, released
/// with `net_cortex_free_string`; feed its bytes to
/// `net_netdb_open_from_snapshot`. Its `"tasks"` and `"memories"` entries
/// are what `net_netdb_tasks_snapshot` / `net_netdb_memories_snapshot`
/// return.
#[no_mangle]
pub extern "C" fn net_netdb_snapshot(db: *mut NetNetDb, out_json: *mut *mut c_char) -> c_int {
    guard::status(|| write_snapshot(out_json, with_db(db, |d| Ok(d.snapshot().to_bytes()))?))
}

/// Close every model: mutations then fail with `NET_CORTEX_ERR_CLOSED`,
/// watches end, files are synced and closed. Queries still work. Closing
/// again succeeds.
#[no_mangle]
pub extern "C" fn net_netdb_close(db: *mut NetNetDb) -> c_int {
    guard::status(|| with_db(db, |d| Ok(d.close()?)))
}

/// Release a NetDb handle. NULL is a no-op; a stale handle is ignored.
/// Dropping the last reference syncs persistent files even without
/// `net_netdb_close`.
#[no_mangle]
pub extern "C" fn net_netdb_free(db: *mut NetNetDb) {
    guard::release(|| {
        if !db.is_null() {
            let _ = NETDBS.remove(db, "netdb");
        }
    })
}
