//! Live subscriptions.
//!
//! A `Subscription` owns a core `EventStream`. `nextBatch` resolves to the
//! events that are ready (waiting for the first one); `close()` drops the
//! stream at once if no `nextBatch` is running, or wakes the running one,
//! which drops it. `liveSubscriptions()` counts streams not yet dropped,
//! so tests can see that breaking out of a loop released them.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use napi::bindgen_prelude::Env;
use napi::JsObject;
use napi_derive::napi;
use net_sdk::{Event, EventStream, Net, SdkError, SubscribeOpts};
use tokio::sync::{Mutex, Notify};

use crate::error::{fail, Result};
use crate::event::JsEvent;
use crate::promise;

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Where a subscription starts and how much it reads at a time.
#[napi(object)]
#[derive(Default)]
pub struct SubscribeOptions {
    /// Resume from a poll cursor (`nextId`); takes precedence.
    pub cursor: Option<String>,
    /// Start at the oldest retained event instead of the current tail.
    pub from_beginning: Option<bool>,
    /// Events read from the backend per round (default 256).
    pub batch: Option<u32>,
    /// End once caught up (after a flush) instead of waiting for more.
    pub until_caught_up: Option<bool>,
}

/// A core stream, counted while it exists.
struct Live {
    stream: EventStream,
    /// An error met while draining ready events, reported by the next call.
    pending: Option<SdkError>,
}

impl Live {
    fn new(stream: EventStream) -> Self {
        LIVE.fetch_add(1, Ordering::SeqCst);
        Live { stream, pending: None }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Shared {
    live: Mutex<Option<Live>>,
    closed: AtomicBool,
    cancel: Notify,
}

impl Shared {
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        match self.live.try_lock() {
            Ok(mut live) => *live = None,
            // A nextBatch holds the stream: wake it; it drops the stream.
            Err(_) => self.cancel.notify_one(),
        }
    }

    async fn next_batch(&self, max: usize) -> std::result::Result<Option<Vec<Event>>, SdkError> {
        let mut guard = self.live.lock().await;
        if self.closed.load(Ordering::SeqCst) {
            *guard = None;
            return Ok(None);
        }
        let Some(live) = guard.as_mut() else { return Ok(None) };
        if let Some(e) = live.pending.take() {
            return Err(e);
        }
        let first = tokio::select! {
            biased;
            _ = self.cancel.notified() => None,
            item = live.stream.next() => Some(item),
        };
        let first = match first {
            None | Some(None) => {
                *guard = None;
                return Ok(None);
            }
            Some(Some(item)) => item?,
        };
        let mut out = vec![first];
        // Take whatever else is ready without waiting.
        while out.len() < max {
            match live.stream.next().now_or_never() {
                Some(Some(Ok(e))) => out.push(e),
                Some(Some(Err(e))) => {
                    live.pending = Some(e);
                    break;
                }
                Some(None) | None => break,
            }
        }
        Ok(Some(out))
    }
}

/// A live stream of events; ends when the node shuts down or on `close()`.
#[napi]
pub struct Subscription {
    shared: Arc<Shared>,
}

impl Subscription {
    pub fn new(net: &Net, o: SubscribeOptions) -> Subscription {
        let opts = SubscribeOpts {
            cursor: o.cursor,
            from_beginning: o.from_beginning.unwrap_or(false),
            batch: o.batch.map_or(256, |b| b as usize),
            until_caught_up: o.until_caught_up.unwrap_or(false),
        };
        let live = Live::new(net.subscribe(opts));
        Subscription {
            shared: Arc::new(Shared { live: Mutex::new(Some(live)), closed: AtomicBool::new(false), cancel: Notify::new() }),
        }
    }
}

#[napi]
impl Subscription {
    /// Resolves to the next events (at least one, at most `max`), or to
    /// `null` once the stream has ended or was closed.
    #[napi(ts_return_type = "Promise<Array<JsEvent> | null>")]
    pub fn next_batch(&self, env: Env, max: u32) -> Result<JsObject> {
        let shared = self.shared.clone();
        let max = (max as usize).max(1);
        promise::spawn(&env, async move { shared.next_batch(max).await.map_err(fail) }, |_, batch| {
            Ok(batch.map(|events| events.into_iter().map(JsEvent::from).collect::<Vec<_>>()))
        })
    }

    /// Release the stream now; a pending `nextBatch` resolves to `null`.
    /// Idempotent.
    #[napi]
    pub fn close(&self) {
        self.shared.close();
    }

    /// Whether `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.shared.closed.load(Ordering::SeqCst)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Collected without close(): release the stream all the same.
        self.shared.close();
    }
}

/// Subscriptions whose core stream has not been released yet (in this
/// process).
#[napi]
pub fn live_subscriptions() -> u32 {
    LIVE.load(Ordering::SeqCst) as u32
}
