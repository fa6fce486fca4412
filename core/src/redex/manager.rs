//! [`Redex`]: the manager that opens RedEX files, in memory or under a
//! persistent directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::file::{FileShared, RedexFile};
use super::{RedexError, RedexFileConfig};
use crate::channel::ChannelName;
use crate::clock::Clock;

struct Inner {
    dir: Option<PathBuf>,
    clock: Clock,
    /// Open files by name, so a second `open_file` shares the first.
    files: Mutex<HashMap<String, Weak<FileShared>>>,
}

/// Opens and keeps track of RedEX files. Cheap to clone; clones share the
/// open files.
#[derive(Clone)]
pub struct Redex {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Redex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redex").field("dir", &self.inner.dir).finish()
    }
}

impl Default for Redex {
    fn default() -> Self {
        Self::new()
    }
}

/// A channel name as a single directory name: letters, digits, `-` and `_`
/// stay, every other byte becomes `%XX`, so `/` cannot nest directories
/// and `..` cannot climb out of the manager's directory.
fn dir_name(name: &ChannelName) -> String {
    let mut out = String::with_capacity(name.as_str().len());
    for b in name.as_str().bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Redex {
    /// A manager whose files live in memory only (a file opened with
    /// `persistent: true` is refused until a directory is set).
    pub fn new() -> Self {
        Self::build(None, Clock::system())
    }

    fn build(dir: Option<PathBuf>, clock: Clock) -> Self {
        Self { inner: Arc::new(Inner { dir, clock, files: Mutex::new(HashMap::new()) }) }
    }

    /// Keep persistent files under `dir` (one subdirectory per file).
    /// Returns a new manager; files opened through the old one stay with it.
    pub fn with_persistent_dir(self, dir: impl AsRef<Path>) -> Self {
        Self::build(Some(dir.as_ref().to_path_buf()), self.inner.clock.clone())
    }

    /// Timestamp records with `clock` (tests drive age retention with
    /// [`Clock::mock`]). Returns a new manager, like `with_persistent_dir`.
    pub fn with_clock(self, clock: Clock) -> Self {
        Self::build(self.inner.dir.clone(), clock)
    }

    /// The persistent directory, if any.
    pub fn persistent_dir(&self) -> Option<&Path> {
        self.inner.dir.as_deref()
    }

    /// The directory a persistent file named `name` lives in.
    pub fn file_dir(&self, name: &ChannelName) -> Option<PathBuf> {
        self.inner.dir.as_ref().map(|d| d.join(dir_name(name)))
    }

    /// Open the file `name` (a valid channel name, e.g. `analytics/clicks`).
    ///
    /// Opening a name that is already open returns another handle to the
    /// same file, provided the configuration is the same. A persistent
    /// file is loaded and verified: a torn final record is cut away (see
    /// [`RedexFile::repair_report`]); damage anywhere else fails with
    /// [`RedexError::Corrupt`] unless `config.recover` is set.
    ///
    /// # Errors
    /// [`RedexError::InvalidName`], [`RedexError::Config`] (bad values,
    /// `persistent` without a directory, or a different configuration for
    /// an open file), [`RedexError::Corrupt`], [`RedexError::Locked`],
    /// [`RedexError::Io`].
    pub fn open_file(&self, name: impl AsRef<str>, config: RedexFileConfig) -> Result<RedexFile, RedexError> {
        let name = ChannelName::new(name.as_ref())?;
        config.validate()?;
        let dir = match (config.persistent, &self.inner.dir) {
            (false, _) => None,
            (true, Some(_)) => self.file_dir(&name),
            (true, None) => {
                return Err(RedexError::Config(format!(
                    "file {name:?} is persistent but the Redex has no persistent directory"
                )))
            }
        };
        let mut files = self.inner.files.lock();
        if let Some(open) = files.get(name.as_str()).and_then(Weak::upgrade) {
            if !open.closed.load(std::sync::atomic::Ordering::SeqCst) {
                if open.config != config {
                    return Err(RedexError::Config(format!(
                        "file {name:?} is already open with a different configuration"
                    )));
                }
                return Ok(RedexFile { shared: open });
            }
        }
        files.retain(|_, f| f.strong_count() > 0);
        let shared = FileShared::open(name.clone(), config, dir, self.inner.clock.clone())?;
        files.insert(name.into_string(), Arc::downgrade(&shared));
        Ok(RedexFile { shared })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_names_cannot_nest_or_climb() {
        let n = |s: &str| dir_name(&ChannelName::new(s).unwrap());
        assert_eq!(n("analytics/clicks"), "analytics%2Fclicks");
        assert_eq!(n(".."), "%2E%2E");
        assert_eq!(n("a:b.c-d_e"), "a%3Ab%2Ec-d_e");
    }
}
