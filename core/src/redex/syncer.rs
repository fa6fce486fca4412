//! The background thread of [`FsyncPolicy::Interval`](super::FsyncPolicy):
//! one per persistent file, so appends never wait on the device.
//!
//! A plain thread rather than a tokio task: files are opened from C, Python
//! and Go callers that may have no runtime, and an fsync blocks anyway.

use std::sync::{mpsc, Weak};
use std::time::Duration;

use super::file::FileShared;

/// Start syncing `file` every `every`; the thread ends when the returned
/// sender is dropped (close) or the file is gone.
pub(crate) fn spawn(file: Weak<FileShared>, every: Duration) -> mpsc::Sender<()> {
    let (stop, stopped) = mpsc::channel::<()>();
    let spawned = std::thread::Builder::new().name("redex-fsync".into()).spawn(move || loop {
        match stopped.recv_timeout(every) {
            Err(mpsc::RecvTimeoutError::Timeout) => match file.upgrade() {
                Some(file) => file.background_sync(),
                None => return,
            },
            // Disconnected (or a message, which is never sent): stop.
            _ => return,
        }
    });
    // Without the thread the interval policy would silently be "never";
    // the OS refusing one small thread leaves nothing sensible to do.
    spawned.expect("the OS refused to start the RedEX fsync thread");
    stop
}
