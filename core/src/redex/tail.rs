//! [`RedexTail`]: backfill, then live records, with a seamless handoff.
//!
//! The seam is where a naive tail loses or repeats records: it reads the
//! backlog, then subscribes, and an append landing in between is never
//! seen. Here the stream only ever reads by seq from the log itself, so
//! nothing can be repeated; and before it sleeps it first registers for
//! the wake-up and *then* checks the log once more, so an append that
//! lands at any moment is either seen by that check or wakes the stream.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;

use super::file::FileShared;
use super::{RedexError, RedexEvent};

/// Records fetched per lock acquisition during backfill.
const BATCH: usize = 1024;

/// A stream of [`RedexEvent`]s from [`RedexFile::tail`](super::RedexFile::tail).
/// Dropping it is the way to stop tailing.
pub struct RedexTail {
    shared: Arc<FileShared>,
    next_seq: u64,
    buf: VecDeque<RedexEvent>,
    waiter: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    done: bool,
}

enum Fill {
    Got,
    Empty,
    Lagged(RedexError),
    Ended,
}

impl RedexTail {
    pub(crate) fn new(shared: Arc<FileShared>, from_seq: u64) -> Self {
        shared.tailers.fetch_add(1, Ordering::SeqCst);
        Self { shared, next_seq: from_seq, buf: VecDeque::with_capacity(BATCH), waiter: None, done: false }
    }

    /// Seq of the next record the stream will yield.
    pub fn position(&self) -> u64 {
        self.next_seq
    }

    fn fill(&mut self) -> Fill {
        // Read `closed` before `published`: a close is flagged after its
        // last append was published, so seeing it means nothing is missed.
        let closed = self.shared.closed.load(Ordering::SeqCst);
        if self.shared.published.load(Ordering::Acquire) <= self.next_seq {
            return if closed { Fill::Ended } else { Fill::Empty };
        }
        let st = self.shared.state.lock();
        let first = st.log.first_seq();
        if self.next_seq < first {
            let err = RedexError::TailLagged { requested: self.next_seq, oldest: first };
            self.next_seq = first;
            return Fill::Lagged(err);
        }
        let n = st.log.read_into(self.next_seq, u64::MAX, BATCH, &mut self.buf);
        self.next_seq += n as u64;
        if n > 0 {
            Fill::Got
        } else {
            Fill::Empty
        }
    }
}

impl Stream for RedexTail {
    type Item = Result<RedexEvent, RedexError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(event) = this.buf.pop_front() {
                return Poll::Ready(Some(Ok(event)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.fill() {
                Fill::Got => {
                    this.waiter = None;
                    continue;
                }
                Fill::Lagged(err) => return Poll::Ready(Some(Err(err))),
                Fill::Ended => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Fill::Empty => {}
            }
            if let Some(waiter) = this.waiter.as_mut() {
                match waiter.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.waiter = None;
                        continue;
                    }
                    Poll::Pending => return Poll::Pending,
                }
            }
            let shared = this.shared.clone();
            let mut waiter: Pin<Box<dyn Future<Output = ()> + Send>> =
                Box::pin(async move { shared.notify.notified().await });
            // The first poll registers the waiter; an append after this
            // point wakes it, one before it is found by the check below.
            if waiter.as_mut().poll(cx).is_ready() {
                continue;
            }
            match this.fill() {
                Fill::Empty => {
                    this.waiter = Some(waiter);
                    return Poll::Pending;
                }
                Fill::Got => continue,
                Fill::Lagged(err) => return Poll::Ready(Some(Err(err))),
                Fill::Ended => {
                    this.done = true;
                    return Poll::Ready(None);
                }
            }
        }
    }
}

impl Drop for RedexTail {
    fn drop(&mut self) {
        self.shared.tailers.fetch_sub(1, Ordering::SeqCst);
    }
}
