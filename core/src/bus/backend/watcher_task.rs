//! [`WatcherTask`]: the task a server-backed backend runs to learn of
//! appends by other producers. Stopped by `close`, and at the latest when
//! the backend is dropped, so it never outlives it.

use parking_lot::Mutex;
use tokio::task::JoinHandle;

pub(crate) struct WatcherTask(Mutex<Option<JoinHandle<()>>>);

impl WatcherTask {
    pub fn new(task: JoinHandle<()>) -> Self {
        Self(Mutex::new(Some(task)))
    }

    /// Abort the task. Idempotent.
    pub fn stop(&self) {
        if let Some(task) = self.0.lock().take() {
            task.abort();
        }
    }
}

impl Drop for WatcherTask {
    fn drop(&mut self) {
        self.stop();
    }
}
