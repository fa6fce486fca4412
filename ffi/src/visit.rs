//! Which registry slot each thread is inside, announced with plain stores.
//!
//! The registry used to count every caller into a slot and out again with
//! two atomic read-modify-writes. On x86 each is a locked instruction, and a
//! locked instruction waits until the thread's earlier stores have reached
//! its cache. On the emit path those stores are the ring slot just written,
//! whose cache line the batcher's core usually holds, so every call ended by
//! waiting for a cross-core transfer it did not otherwise need.
//!
//! Now each thread owns a record on a cache line of its own and announces
//! the slot it enters with a plain store, then checks the slot's generation.
//! Removal is rare, so it does the expensive half: after moving the slot to
//! the next generation it makes every running thread of the process execute
//! a full memory barrier (Linux `membarrier`) and waits until no record
//! names the slot. That barrier stands in for the one each caller would
//! otherwise need between its announcement and its check — Dekker's
//! pattern with the fence moved to the rare side — so either the caller
//! sees the new generation, or the remover sees the caller and waits.
//! Where `membarrier` is unavailable (an old kernel, valgrind) callers use a
//! real fence instead, and the protocol is the textbook one.

use std::cell::Cell;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
use std::sync::atomic::{compiler_fence, fence, AtomicBool, AtomicUsize};
use std::sync::OnceLock;

use crossbeam_utils::{Backoff, CachePadded};
use parking_lot::Mutex;

/// One thread's announcement: the key of the slot it is inside, or 0.
struct Record {
    inside: CachePadded<AtomicUsize>,
    taken: AtomicBool,
}

/// Every record ever made. Records are leaked, never freed: a thread that
/// ends hands its record back for the next thread, so there are only as
/// many as threads that were ever inside at the same time.
static RECORDS: Mutex<Vec<&'static Record>> = parking_lot::const_mutex(Vec::new());

/// This thread's record (claimed on first use, handed back at exit) and
/// whether it is in use — a visit inside a visit takes the counted path.
struct Mine {
    record: &'static Record,
    busy: Cell<bool>,
}

impl Mine {
    fn claim() -> Self {
        let mut records = RECORDS.lock();
        let record = match records.iter().find(|r| !r.taken.load(Relaxed)) {
            Some(free) => {
                free.taken.store(true, Relaxed);
                *free
            }
            None => {
                let fresh: &'static Record = Box::leak(Box::new(Record {
                    inside: CachePadded::new(AtomicUsize::new(0)),
                    taken: AtomicBool::new(true),
                }));
                records.push(fresh);
                fresh
            }
        };
        Self { record, busy: Cell::new(false) }
    }
}

impl Drop for Mine {
    fn drop(&mut self) {
        let _records = RECORDS.lock();
        self.record.inside.store(0, Release);
        self.record.taken.store(false, Relaxed);
    }
}

thread_local! {
    static MINE: Mine = Mine::claim();
}

/// Whether the process-wide barrier is available (registered once).
fn asymmetric() -> bool {
    static MODE: OnceLock<bool> = OnceLock::new();
    *MODE.get_or_init(membarrier::register)
}

/// A thread's stay inside the slot with key `key`; leaving is the drop.
pub(crate) struct Visit {
    record: &'static Record,
}

impl Visit {
    /// Announce this thread inside `key` (non-zero). The caller must check
    /// the slot's generation afterwards and leave if it changed. `None`
    /// when this thread already is inside a slot or is ending: the caller
    /// then takes the counted path.
    #[inline]
    pub(crate) fn enter(key: usize) -> Option<Self> {
        debug_assert_ne!(key, 0);
        let record = MINE.try_with(|mine| (!mine.busy.replace(true)).then_some(mine.record)).ok().flatten()?;
        record.inside.store(key, Relaxed);
        if asymmetric() {
            // The remover's membarrier supplies the hardware fence; only
            // the compiler must keep the store before the generation load.
            compiler_fence(SeqCst);
        } else {
            fence(SeqCst);
        }
        Some(Self { record })
    }
}

impl Drop for Visit {
    #[inline]
    fn drop(&mut self) {
        // Release: everything done inside happens before a remover that
        // sees the slot left (it loads with Acquire).
        self.record.inside.store(0, Release);
        let _ = MINE.try_with(|mine| mine.busy.set(false));
    }
}

/// Wait until no thread is inside `key`. Call after the slot's generation
/// has moved on (with a SeqCst write), so no new visit will stay.
pub(crate) fn wait_until_left(key: usize) {
    if asymmetric() {
        membarrier::barrier();
    } else {
        fence(SeqCst);
    }
    let backoff = Backoff::new();
    while RECORDS.lock().iter().any(|r| r.inside.load(Acquire) == key) {
        backoff.snooze();
    }
}

mod membarrier {
    //! Linux's `membarrier(2)`, private expedited flavour: a full memory
    //! barrier on every CPU currently running a thread of this process.

    const CMD_PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
    const CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_long = 1 << 4;

    fn call(cmd: libc::c_long) -> libc::c_long {
        // SAFETY: membarrier takes two integers and touches no memory of ours.
        unsafe { libc::syscall(libc::SYS_membarrier, cmd, 0 as libc::c_long) }
    }

    /// Register the process; false when the kernel (or an emulator such as
    /// valgrind) does not offer the command.
    pub(super) fn register() -> bool {
        #[cfg(target_os = "linux")]
        {
            call(CMD_REGISTER_PRIVATE_EXPEDITED) == 0 && call(CMD_PRIVATE_EXPEDITED) == 0
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }

    /// The barrier itself (only called after `register` succeeded).
    pub(super) fn barrier() {
        let rc = call(CMD_PRIVATE_EXPEDITED);
        // Registered commands cannot fail; if one ever did, the callers'
        // fences would be missing, which must not pass silently.
        assert_eq!(rc, 0, "membarrier failed after registration");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;

    #[test]
    fn a_visit_is_seen_until_it_ends() {
        let key = 0xabc0;
        let visit = Visit::enter(key).expect("first visit");
        assert!(Visit::enter(key + 1).is_none(), "a visit inside a visit takes the counted path");
        let seen = RECORDS.lock().iter().any(|r| r.inside.load(Acquire) == key);
        assert!(seen);
        drop(visit);
        assert!(!RECORDS.lock().iter().any(|r| r.inside.load(Acquire) == key));
        assert!(Visit::enter(key).is_some(), "usable again after leaving");
    }

    #[test]
    fn the_remover_waits_for_a_visitor_on_another_thread() {
        let key = 0xdef0;
        let done = Arc::new(AtomicU64::new(0));
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let visitor = {
            let done = done.clone();
            std::thread::spawn(move || {
                let visit = Visit::enter(key).unwrap();
                entered_tx.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(50));
                done.store(1, Release);
                drop(visit);
            })
        };
        entered_rx.recv().unwrap();
        wait_until_left(key);
        assert_eq!(done.load(Acquire), 1, "returned before the visitor left");
        visitor.join().unwrap();
    }

    #[test]
    fn records_of_ended_threads_are_reused() {
        for _ in 0..4 {
            std::thread::spawn(|| drop(Visit::enter(0x1230))).join().unwrap();
        }
        let before = RECORDS.lock().len();
        for _ in 0..16 {
            std::thread::spawn(|| drop(Visit::enter(0x4560))).join().unwrap();
        }
        // Tests on other threads may claim a few records meanwhile; without
        // reuse these 16 threads alone would add 16.
        assert!(RECORDS.lock().len() < before + 16, "ended threads' records are reused");
    }
}
