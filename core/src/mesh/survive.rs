//! Keeps the mesh's background tasks alive through a panic.
//!
//! A panic in the receive or timer task used to end it: the node then
//! looked alive but never read its socket (or never retransmitted) again,
//! and every send failed with `NotConnected`. Each unit of work — one
//! datagram, one batch's acks, one timer sweep — now runs under
//! `catch_unwind`: a panic loses that unit only (a datagram is as good as
//! lost on the wire, and reliable streams retransmit), is counted in
//! [`MeshStats`](super::MeshStats) by the task it hit, and its message is
//! kept for [`Mesh::last_panic`](super::Mesh::last_panic). The state the
//! unit touched stays usable: the mesh's locks do not poison.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

use parking_lot::Mutex;

/// Which background task a panic hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// The receive task (datagrams, handshakes, acks).
    Receive,
    /// The timer task (retransmission, heartbeats, failure detection).
    Maintenance,
}

impl TaskKind {
    /// The stable kind string: `receive` or `maintenance`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Receive => "receive",
            TaskKind::Maintenance => "maintenance",
        }
    }
}

/// Panics caught so far, by task, and the last one's message.
#[derive(Default)]
pub(crate) struct PanicLog {
    pub receive: AtomicU64,
    pub maintenance: AtomicU64,
    last: Mutex<Option<(TaskKind, String)>>,
}

impl PanicLog {
    /// Run `work`; if it panics, record the panic and return `None`.
    pub(crate) fn survive<R>(&self, kind: TaskKind, work: impl FnOnce() -> R) -> Option<R> {
        match catch_unwind(AssertUnwindSafe(work)) {
            Ok(value) => Some(value),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned());
                match kind {
                    TaskKind::Receive => &self.receive,
                    TaskKind::Maintenance => &self.maintenance,
                }
                .fetch_add(1, Relaxed);
                *self.last.lock() = Some((kind, message));
                None
            }
        }
    }

    /// The last panic caught: which task, and its message.
    pub(crate) fn last(&self) -> Option<(TaskKind, String)> {
        self.last.lock().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_counted_by_task_and_kept() {
        let log = PanicLog::default();
        assert_eq!(log.survive(TaskKind::Receive, || 7), Some(7));
        assert_eq!(log.survive(TaskKind::Receive, || -> u8 { panic!("bad datagram") }), None);
        assert_eq!(log.survive(TaskKind::Maintenance, || -> u8 { panic!("{}", String::from("sweep")) }), None);
        assert_eq!((log.receive.load(Relaxed), log.maintenance.load(Relaxed)), (1, 1));
        assert_eq!(log.last(), Some((TaskKind::Maintenance, "sweep".to_owned())));
        assert_eq!(TaskKind::Receive.as_str(), "receive");
    }
}
