//! Subscriptions: async streams over the backend and its change signal.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::{self, Stream};
use serde::de::DeserializeOwned;

use super::cursor::Cursor;
use super::event::Event;
use super::event_bus::EventBus;
use super::poll::read_fair;
use crate::error::{Result, SdkError};

/// Where a subscription starts and how much it reads at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeOpts {
    /// Resume from a poll cursor (`next_id`); takes precedence.
    pub cursor: Option<String>,
    /// Start at the oldest retained event instead of live.
    pub from_beginning: bool,
    /// Events read from the backend per round (default 256; 0 is taken as 1).
    pub batch: usize,
    /// End the stream once it has caught up instead of waiting for new
    /// events. The bus is flushed when the stream is first read, so it
    /// holds at least every event emitted before that.
    pub until_caught_up: bool,
}

impl Default for SubscribeOpts {
    /// Live: starts at the current tail of every shard.
    fn default() -> Self {
        Self { cursor: None, from_beginning: false, batch: 256, until_caught_up: false }
    }
}

/// A stream of events. Ends after shutdown once everything stored before
/// it was delivered; dropping it releases everything (no task is spawned).
pub struct EventStream {
    inner: Pin<Box<dyn Stream<Item = Result<Event>> + Send>>,
}

impl Stream for EventStream {
    type Item = Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// A stream of events deserialized from JSON into `T`. A payload that does
/// not deserialize yields an `Err(SdkError::Deserialization)` item and the
/// stream continues.
pub struct TypedEventStream<T> {
    inner: EventStream,
    _t: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Stream for TypedEventStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner).poll_next(cx).map(|o| o.map(|r| r.and_then(|e| e.parse::<T>())))
    }
}

struct SubState {
    bus: Arc<EventBus>,
    cursor: Cursor,
    buf: VecDeque<Event>,
    scratch: Vec<Event>,
    batch: usize,
    pending_err: Option<SdkError>,
    done: bool,
    /// `Some(flushed yet)` for a stream that ends once caught up.
    until_caught_up: Option<bool>,
}

impl SubState {
    async fn next(&mut self) -> Option<Result<Event>> {
        loop {
            if let Some(e) = self.buf.pop_front() {
                return Some(Ok(e));
            }
            if let Some(e) = self.pending_err.take() {
                self.done = true;
                return Some(Err(e));
            }
            if self.done {
                return None;
            }
            let bus = self.bus.clone();
            if self.until_caught_up == Some(false) {
                self.until_caught_up = Some(true);
                if let Err(e) = bus.flush().await {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            let changed = bus.backend.changed().notified();
            let closed = bus.closed.notified();
            tokio::pin!(changed, closed);
            // Register for both signals before reading, so an append or the
            // shutdown between the read and the await still wakes us.
            changed.as_mut().enable();
            closed.as_mut().enable();
            // Checked before the read: every append precedes CLOSED, so an
            // empty read after seeing CLOSED means nothing is left.
            let was_closed = bus.is_shut_down();
            if let Err(e) = read_fair(&*bus.backend, &mut self.cursor, self.batch, &mut self.scratch).await {
                self.done = true;
                return Some(Err(e));
            }
            if !self.scratch.is_empty() {
                self.buf.extend(self.scratch.drain(..));
                continue;
            }
            if was_closed || self.until_caught_up.is_some() {
                self.done = true;
                return None;
            }
            tokio::select! {
                _ = &mut changed => {}
                _ = &mut closed => {}
            }
        }
    }
}

impl EventBus {
    /// Subscribe; see [`SubscribeOpts`]. A malformed cursor yields one
    /// `Err(InvalidCursor)` item, then the stream ends.
    pub fn subscribe(self: &Arc<Self>, opts: SubscribeOpts) -> EventStream {
        let shards = self.config.shards;
        let start = match (&opts.cursor, opts.from_beginning) {
            (Some(c), _) => Cursor::parse(c, shards),
            (None, true) => Ok(Cursor::start(shards)),
            (None, false) => Ok(Cursor((0..shards).map(|s| self.backend.tail(s)).collect())),
        };
        let (cursor, pending_err) = match start {
            Ok(c) => (c, None),
            Err(e) => (Cursor::start(shards), Some(e)),
        };
        let state = SubState {
            bus: self.clone(),
            cursor,
            buf: VecDeque::new(),
            scratch: Vec::new(),
            batch: opts.batch.max(1),
            pending_err,
            done: false,
            until_caught_up: opts.until_caught_up.then_some(false),
        };
        // Fused: a caller may poll again after the end (a binding draining
        // ready events does) and gets `None` again instead of a panic.
        let inner = stream::unfold(state, |mut st| async move { st.next().await.map(|item| (item, st)) });
        let inner = futures::StreamExt::fuse(inner);
        EventStream { inner: Box::pin(inner) }
    }

    /// [`subscribe`](Self::subscribe), deserializing each event into `T`.
    pub fn subscribe_typed<T: DeserializeOwned + Send + 'static>(self: &Arc<Self>, opts: SubscribeOpts) -> TypedEventStream<T> {
        TypedEventStream { inner: self.subscribe(opts), _t: PhantomData }
    }
}
