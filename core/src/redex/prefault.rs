//! Chunks faulted in ahead of need, off the appending thread.
//!
//! A growing log's cost is dominated by the kernel zeroing the fresh pages
//! of each new chunk at their first write (a profile of 64-byte batch
//! appends: more than half the time in page faults). Those pages must be
//! zeroed by someone; here a background thread does it for the *next*
//! chunk while the appender is still filling the current one, so on a
//! machine with a spare core the appender never waits for it. Where no
//! core is spare the work is the same as before, only moved.
//!
//! A [`Prefetch`] is one log's request slot: `request` (once the active
//! chunk is half full) queues it to the one process-wide worker, which
//! allocates a chunk, touches every page, and leaves it in the slot;
//! `take` picks it up at the next chunk switch without ever waiting. A
//! chunk whose log went away meanwhile is simply dropped.

use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, OnceLock};

use bytes::BytesMut;
use parking_lot::Mutex;

type Slot = Arc<Mutex<Option<BytesMut>>>;

/// Requests waiting for the worker; a log asking past this is told no and
/// allocates its next chunk itself, as it would without the worker.
const QUEUE: usize = 64;
const PAGE: usize = 4096;

fn worker() -> Option<&'static SyncSender<(Slot, usize)>> {
    static WORKER: OnceLock<Option<SyncSender<(Slot, usize)>>> = OnceLock::new();
    WORKER
        .get_or_init(|| {
            let (tx, rx) = sync_channel::<(Slot, usize)>(QUEUE);
            std::thread::Builder::new()
                .name("redex-prefault".into())
                .spawn(move || {
                    for (slot, capacity) in rx {
                        // Nobody left to use it: skip the work.
                        if Arc::strong_count(&slot) == 1 {
                            continue;
                        }
                        let mut chunk = super::memlog::fresh_chunk(capacity);
                        touch(&mut chunk);
                        *slot.lock() = Some(chunk);
                    }
                })
                .ok()
                .map(|_| tx)
        })
        .as_ref()
}

/// Write one byte per page of `chunk`'s capacity, so the kernel backs (and
/// zeroes) every page now. The length stays 0: nothing is initialised as
/// far as the chunk's user is concerned.
fn touch(chunk: &mut BytesMut) {
    let spare = chunk.spare_capacity_mut();
    for i in (0..spare.len()).step_by(PAGE) {
        spare[i].write(0);
    }
}

/// One log's prefetch slot.
#[derive(Default)]
pub(crate) struct Prefetch {
    slot: Slot,
    requested: bool,
}

impl Prefetch {
    /// Ask for a faulted-in chunk of `capacity` bytes, unless one is
    /// already asked for. Called on every append past half a chunk, so the
    /// common case (already asked) is one inlined test.
    #[inline]
    pub(crate) fn request(&mut self, capacity: usize) {
        if !self.requested {
            self.send(capacity);
        }
    }

    #[cold]
    fn send(&mut self, capacity: usize) {
        if let Some(tx) = worker() {
            self.requested = tx.try_send((self.slot.clone(), capacity)).is_ok();
        }
    }

    /// The prefetched chunk if it is ready and holds `at_least` bytes.
    pub(crate) fn take(&mut self, at_least: usize) -> Option<BytesMut> {
        if !self.requested {
            return None;
        }
        let chunk = self.slot.lock().take()?;
        self.requested = false;
        (chunk.capacity() >= at_least).then_some(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_requested_chunk_arrives_empty_and_is_taken_once() {
        let mut p = Prefetch::default();
        assert!(p.take(1).is_none(), "nothing was asked for");
        p.request(1 << 20);
        let deadline = Instant::now() + Duration::from_secs(10);
        let chunk = loop {
            if let Some(c) = p.take(1 << 20) {
                break c;
            }
            assert!(Instant::now() < deadline, "the worker delivers");
            std::thread::sleep(Duration::from_millis(1));
        };
        assert_eq!(chunk.len(), 0);
        assert!(chunk.capacity() >= 1 << 20);
        assert!(p.take(1).is_none(), "taken once");
    }
}
