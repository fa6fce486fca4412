//! [`WatchStream`]: a model query re-run after each fold move, yielding a
//! result only when it differs from the last one yielded.
//!
//! The fold's version channel coalesces: a watcher that falls behind sees
//! the latest state, not every intermediate one — each batch is the
//! current result, never a stale one.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::watch;

use super::fold::{Folded, Model};

/// A stream of deduplicated query results (see the module docs). Ends when
/// the model closes; dropping it stops watching.
pub struct WatchStream<T> {
    inner: Pin<Box<dyn Stream<Item = Vec<T>> + Send>>,
}

impl<T: Clone + PartialEq + Send + 'static> WatchStream<T> {
    /// Watch `query` over `folded`. `last` is what the caller already has
    /// (a snapshot): results equal to it are not repeated. With `None` the
    /// first item is the current result.
    pub(crate) fn new<M: Model>(
        folded: Arc<Folded<M>>,
        mut rx: watch::Receiver<u64>,
        last: Option<Vec<T>>,
        query: impl Fn(&M::State) -> Vec<T> + Send + Sync + 'static,
    ) -> Self {
        if last.is_none() {
            rx.mark_changed();
        }
        let query = Arc::new(query);
        let stream = futures::stream::unfold((rx, last), move |(mut rx, mut last)| {
            let folded = folded.clone();
            let query = query.clone();
            async move {
                loop {
                    rx.changed().await.ok()?;
                    let now = folded.read(|s| query(s));
                    if last.as_ref() != Some(&now) {
                        last = Some(now.clone());
                        return Some((now, (rx, last)));
                    }
                }
            }
        });
        Self { inner: Box::pin(stream) }
    }
}

impl<T> Stream for WatchStream<T> {
    type Item = Vec<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Vec<T>>> {
        self.inner.as_mut().poll_next(cx)
    }
}
