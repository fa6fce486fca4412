//! The metadata file of a persistent RedEX file (`meta.json`), written by
//! temp file + fsync + rename + directory fsync, so a reader sees either
//! the old or the new version, never a half-written one; and the directory
//! lock that keeps two owners from appending to one log.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{RedexError, RedexFileConfig};

pub(crate) const META_FILE: &str = "meta.json";
const META_TMP: &str = "meta.json.tmp";
const LOCK_FILE: &str = "LOCK";
const META_FORMAT: u32 = 1;

/// What survives between opens besides the segments themselves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Meta {
    pub format: u32,
    pub name: String,
    /// Records below this seq were evicted by retention; segments still
    /// holding some of them are filtered on load.
    pub start_seq: u64,
    /// The configuration the file was last opened with (informational:
    /// the configuration given to `open_file` is the one applied).
    pub config: RedexFileConfig,
}

impl Meta {
    pub fn new(name: &str, start_seq: u64, config: &RedexFileConfig) -> Self {
        Self { format: META_FORMAT, name: name.to_string(), start_seq, config: config.clone() }
    }
}

/// Write `bytes` to `dir/name` atomically: a crash leaves either the old
/// file or the new one.
pub(crate) fn write_atomic(dir: &Path, name: &str, tmp_name: &str, bytes: &[u8]) -> Result<(), RedexError> {
    let tmp = dir.join(tmp_name);
    let target = dir.join(name);
    let mut f = File::create(&tmp).map_err(|e| RedexError::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| RedexError::io(&tmp, e))?;
    f.sync_all().map_err(|e| RedexError::io(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, &target).map_err(|e| RedexError::io(&target, e))?;
    sync_dir(dir)
}

/// Fsync a directory so a create, rename or unlink in it is durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), RedexError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| RedexError::io(dir, e))
}

pub(crate) fn write_meta(dir: &Path, meta: &Meta) -> Result<(), RedexError> {
    let json = serde_json::to_vec_pretty(meta).expect("metadata serializes");
    write_atomic(dir, META_FILE, META_TMP, &json)
}

/// Read `meta.json`, or `None` if the file was never written. A present
/// but unreadable file is corruption, reported, not ignored.
pub(crate) fn read_meta(dir: &Path) -> Result<Option<Meta>, RedexError> {
    let path = dir.join(META_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(RedexError::io(&path, e)),
    };
    let meta: Meta = serde_json::from_slice(&bytes).map_err(|e| RedexError::Corrupt {
        file: path.clone(),
        offset: 0,
        reason: format!("metadata does not parse: {e}"),
    })?;
    if meta.format != META_FORMAT {
        return Err(RedexError::Corrupt {
            file: path,
            offset: 0,
            reason: format!("unknown metadata format {}", meta.format),
        });
    }
    Ok(Some(meta))
}

/// A leftover temp file is a write that never got renamed: drop it.
pub(crate) fn remove_stale_tmp(dir: &Path) -> Result<(), RedexError> {
    let tmp = dir.join(META_TMP);
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(RedexError::io(&tmp, e)),
        _ => Ok(()),
    }
}

/// An exclusive advisory lock on a file directory, released when dropped
/// (or when the process dies, so a crashed owner never blocks a restart).
pub(crate) struct DirLock {
    _file: File,
}

impl DirLock {
    pub fn acquire(dir: &Path, name: &str) -> Result<Self, RedexError> {
        let path: PathBuf = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| RedexError::io(&path, e))?;
        // SAFETY: flock on a descriptor we own; no memory is involved.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let err = std::io::Error::last_os_error();
            return Err(if err.kind() == std::io::ErrorKind::WouldBlock {
                RedexError::Locked { name: name.to_string(), dir: dir.to_path_buf() }
            } else {
                RedexError::io(&path, err)
            });
        }
        Ok(Self { _file: file })
    }
}
