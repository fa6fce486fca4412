//! The fold engine shared by every CortEX model: state folded from a RedEX
//! file, mutations that append an event and apply it, waiting for a seq,
//! and the version signal watches listen to.
//!
//! Mutations hold the model's lock across "check against the state,
//! append, apply", so a mutation is validated against exactly the state it
//! lands on, and a watcher subscribing under the same lock sees either the
//! state before a mutation or after it — never between.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::StreamExt;
use parking_lot::Mutex;
use tokio::sync::watch;

use super::CortexError;
use crate::redex::RedexFile;

/// Where an event sits in the log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Applied {
    pub seq: u64,
    pub ts_nanos: u64,
    pub origin: u64,
}

/// One model: its state, its events and how they fold.
pub(crate) trait Model: Send + Sync + 'static {
    type State: Default + Clone + Send + Sync;
    type Event: Send;
    /// The model's name in errors and bundles (`"tasks"`).
    const NAME: &'static str;
    fn encode(event: &Self::Event, origin: u64, out: &mut Vec<u8>);
    /// `(origin, event)`, or why the bytes are not an event.
    fn decode(bytes: &[u8]) -> Result<(u64, Self::Event), String>;
    /// Apply an event. An event about an id the state does not hold (a
    /// foreign writer's, or one a snapshot already covers) changes nothing.
    fn apply(state: &mut Self::State, at: Applied, event: Self::Event);
}

struct Inner<M: Model> {
    state: M::State,
    /// Seq of the next event to fold.
    next: u64,
    halted: Option<(u64, String)>,
    /// Tells watchers the fold moved; `None` once closed, which ends them.
    version: Option<watch::Sender<u64>>,
    scratch: Vec<u8>,
}

impl<M: Model> Inner<M> {
    /// Tell watchers the fold moved to `next`. With no receiver the value
    /// is stored without a wake-up (a wake-up walks eight notifiers, each
    /// behind a lock): a receiver subscribes under the fold's lock, so it
    /// starts from this value as seen, exactly as after a `send`.
    #[inline]
    fn publish(&self) {
        if let Some(v) = &self.version {
            let next = self.next;
            let wake = v.receiver_count() > 0;
            v.send_if_modified(|seen| {
                *seen = next;
                wake
            });
        }
    }
}

pub(crate) struct Folded<M: Model> {
    file: RedexFile,
    origin: u64,
    inner: Mutex<Inner<M>>,
    closed: AtomicBool,
}

impl<M: Model> Folded<M> {
    /// Fold `file` into a fresh state, or onto `base = (state, next_seq)`
    /// from a snapshot. A log that ends before the snapshot's seq is taken
    /// to be a different (fresh) log: the snapshot is the base and folding
    /// starts at the log's end.
    ///
    /// # Errors
    /// [`CortexError::FoldHalted`] if an event does not decode or the log
    /// no longer holds the events after `base`.
    pub fn open(file: RedexFile, origin: u64, base: Option<(M::State, u64)>) -> Result<Arc<Self>, CortexError> {
        let (state, next) = match base {
            None => (M::State::default(), 0),
            Some((state, seq)) => (state, seq.min(file.next_seq())),
        };
        let folded = Arc::new(Self {
            file,
            origin,
            inner: Mutex::new(Inner {
                state,
                next,
                halted: None,
                version: Some(watch::Sender::new(next)),
                scratch: Vec::new(),
            }),
            closed: AtomicBool::new(false),
        });
        {
            let mut inner = folded.inner.lock();
            folded.catch_up(&mut inner);
            if let Some((seq, reason)) = &inner.halted {
                return Err(CortexError::FoldHalted { model: M::NAME, seq: *seq, reason: reason.clone() });
            }
        }
        Ok(folded)
    }

    fn redex_err(source: crate::redex::RedexError) -> CortexError {
        CortexError::Redex { model: M::NAME, source }
    }

    /// Fold every event appended to the file since the last fold (by
    /// anyone). Stops for good at the first event that cannot be applied.
    fn catch_up(&self, inner: &mut Inner<M>) {
        let end = self.file.next_seq();
        if inner.halted.is_some() || inner.next >= end {
            return;
        }
        // Retention took events the state never saw: folding on would build
        // a state that never existed.
        let first = self.file.first_seq();
        if inner.next < first {
            inner.halted = Some((inner.next, format!("events {}..{first} were evicted from the log", inner.next)));
            return;
        }
        let moved_from = inner.next;
        for event in self.file.read(inner.next..end) {
            if event.seq != inner.next {
                // Retention raced the read: same gap as above.
                inner.halted = Some((inner.next, format!("events from seq {} on were evicted from the log", inner.next)));
                break;
            }
            match M::decode(&event.payload) {
                Ok((origin, e)) => {
                    M::apply(&mut inner.state, Applied { seq: event.seq, ts_nanos: event.timestamp_nanos, origin }, e);
                    inner.next = event.seq + 1;
                }
                Err(reason) => {
                    inner.halted = Some((event.seq, reason));
                    break;
                }
            }
        }
        if inner.next != moved_from {
            inner.publish();
        }
    }

    fn check_open(&self, inner: &Inner<M>) -> Result<(), CortexError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(CortexError::Closed { model: M::NAME });
        }
        if let Some((seq, reason)) = &inner.halted {
            return Err(CortexError::FoldHalted { model: M::NAME, seq: *seq, reason: reason.clone() });
        }
        Ok(())
    }

    /// Validate against the current state, append the event, apply it;
    /// returns the event's seq.
    pub fn mutate(&self, build: impl FnOnce(&M::State) -> Result<M::Event, CortexError>) -> Result<u64, CortexError> {
        let mut guard = self.inner.lock();
        let inner = &mut *guard;
        self.catch_up(inner);
        self.check_open(inner)?;
        let event = build(&inner.state)?;
        inner.scratch.clear();
        M::encode(&event, self.origin, &mut inner.scratch);
        let (seq, ts_nanos) = self.file.append_stamped(&inner.scratch).map_err(Self::redex_err)?;
        if seq == inner.next {
            // Nobody appended in between (the usual case): apply the event
            // we hold instead of reading it back.
            M::apply(&mut inner.state, Applied { seq, ts_nanos, origin: self.origin }, event);
            inner.next = seq + 1;
            inner.publish();
        } else {
            self.catch_up(inner);
        }
        Ok(seq)
    }

    /// Run `f` on the state, folded up to the file's end.
    pub fn read<R>(&self, f: impl FnOnce(&M::State) -> R) -> R {
        let mut inner = self.inner.lock();
        self.catch_up(&mut inner);
        f(&inner.state)
    }

    /// Run `f` on the state and subscribe to later fold moves atomically:
    /// the receiver counts as having seen the state `f` saw.
    pub fn read_and_subscribe<R>(&self, f: impl FnOnce(&M::State) -> R) -> (R, watch::Receiver<u64>) {
        let mut inner = self.inner.lock();
        self.catch_up(&mut inner);
        let rx = match &inner.version {
            Some(v) => v.subscribe(),
            // Closed: a receiver whose sender is gone ends its watch at once.
            None => watch::channel(0).1,
        };
        (f(&inner.state), rx)
    }

    /// The state and the seq it is folded up to (for snapshots).
    pub fn snapshot(&self) -> (M::State, u64) {
        let mut inner = self.inner.lock();
        self.catch_up(&mut inner);
        (inner.state.clone(), inner.next)
    }

    /// Seq of the next event to fold (everything below it is applied).
    pub fn folded_seq(&self) -> u64 {
        let mut inner = self.inner.lock();
        self.catch_up(&mut inner);
        inner.next
    }

    /// Wait until the event at `seq` is folded into the state.
    ///
    /// # Errors
    /// [`CortexError::FoldHalted`] if the fold stopped before `seq`;
    /// [`CortexError::Closed`] if the model or its file closes first.
    pub async fn wait_for_seq(&self, seq: u64) -> Result<(), CortexError> {
        let from = match self.check_folded(seq)? {
            None => return Ok(()),
            Some(from) => from,
        };
        // The file's tail is the wake-up: each record it yields is folded
        // by `check_folded` (the tail's own copy is not needed).
        let mut tail = self.file.tail(from);
        while tail.next().await.is_some() {
            if self.check_folded(seq)?.is_none() {
                return Ok(());
            }
        }
        match self.check_folded(seq)? {
            None => Ok(()),
            Some(_) => Err(CortexError::Closed { model: M::NAME }),
        }
    }

    /// `None` once `seq` is folded, else the next seq to fold.
    fn check_folded(&self, seq: u64) -> Result<Option<u64>, CortexError> {
        let mut inner = self.inner.lock();
        self.catch_up(&mut inner);
        if inner.next > seq {
            return Ok(None);
        }
        self.check_open(&inner)?;
        Ok(Some(inner.next))
    }

    /// Close: refuse mutations, end watches, close the file.
    pub fn close(&self) -> Result<(), CortexError> {
        let mut inner = self.inner.lock();
        self.closed.store(true, Ordering::Release);
        inner.version = None;
        drop(inner);
        self.file.close().map_err(Self::redex_err)
    }
}
