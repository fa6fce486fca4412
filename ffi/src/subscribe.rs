//! Subscriptions: `net_subscribe`, `net_subscription_next`,
//! `net_subscription_free`.
//!
//! A subscription wraps the core's event stream. C has no async, so
//! `net_subscription_next` waits for the next events with a timeout; a
//! host that wants cancellation (a Go context, a Ctrl-C) calls it in a loop
//! with a short timeout and checks its own signal between calls.

use std::ffi::{c_char, c_int};
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use net_sdk::runtime::block_on;
use net_sdk::{Event, EventStream, SdkError, SubscribeOpts};
use parking_lot::Mutex;

use crate::node::{with_net, net_handle_t};
use crate::poll::{empty_result, fill_result, NetPollResult};
use crate::status::{FfiError, NetStatus};
use crate::{args, guard};

/// A live subscription to a node's events (opaque). Created by
/// `net_subscribe`, released by `net_subscription_free`.
pub struct NetSubscription {
    state: Mutex<SubState>,
}

struct SubState {
    /// `None` while a `net_subscription_next` call has the stream.
    stream: Option<EventStream>,
    /// An error met after some events were already collected, reported by
    /// the next call so those events are not lost.
    deferred: Option<SdkError>,
    /// The stream returned its end: it must not be polled again.
    ended: bool,
}

/// Subscribe to `handle`'s events. `cursor` (NUL-terminated, a poll
/// `next_id`) resumes after it and takes precedence; otherwise
/// `from_beginning` non-zero starts at the oldest retained event and 0
/// starts live, at the current tail. `batch` is how many events are read
/// from the backend at a time (0 means 256).
///
/// Returns a subscription owned by the caller, released with
/// `net_subscription_free`, or NULL on failure. A malformed cursor is
/// reported by the first `net_subscription_next` (kind `invalid_cursor`).
#[no_mangle]
pub extern "C" fn net_subscribe(
    handle: net_handle_t,
    cursor: *const c_char,
    from_beginning: c_int,
    batch: usize,
) -> *mut NetSubscription {
    guard::pointer(|| {
        let cursor = args::optional_cstr(cursor, "cursor")?.map(str::to_owned);
        let opts = SubscribeOpts { cursor, from_beginning: from_beginning != 0, batch: if batch == 0 { 256 } else { batch }, ..Default::default() };
        let stream = with_net(handle, |net| Ok(net.subscribe(opts)))?;
        let state = SubState { stream: Some(stream), deferred: None, ended: false };
        Ok(Box::into_raw(Box::new(NetSubscription { state: Mutex::new(state) })))
    })
}

/// What one wait on the stream produced.
struct Collected {
    events: Vec<Event>,
    error: Option<SdkError>,
    ended: bool,
}

/// Wait up to `timeout` for a first item, then take up to `max` items that
/// are ready without waiting.
async fn collect(stream: &mut EventStream, max: usize, timeout: Duration) -> Collected {
    let mut out = Collected { events: Vec::new(), error: None, ended: false };
    let mut next = match tokio::time::timeout(timeout, stream.next()).await {
        Err(_elapsed) => return out,
        Ok(item) => item,
    };
    loop {
        match next {
            None => out.ended = true,
            Some(Err(e)) => out.error = Some(e),
            Some(Ok(event)) => {
                out.events.push(event);
                if out.events.len() < max {
                    if let Some(item) = stream.next().now_or_never() {
                        next = item;
                        continue;
                    }
                }
            }
        }
        return out;
    }
}

fn ended() -> FfiError {
    FfiError::new(NetStatus::NET_ERR_SHUTTING_DOWN, "closed", "the subscription ended: its node was shut down")
}

/// Wait up to `timeout_ms` milliseconds for events and write up to `max`
/// (at least 1) of them to `*out`, released with `net_free_poll_result`
/// (its `next_id` is NULL: a subscription keeps its own position).
/// Returns the number of events, 0 when the timeout passed first, or a
/// negative code: `NET_ERR_SHUTTING_DOWN` (kind `closed`) once the node
/// was shut down and every event stored before was delivered — the normal
/// end of a subscription. On failure `*out` is zeroed. Calls on one
/// subscription must not overlap (kind `invalid_argument`).
#[no_mangle]
pub extern "C" fn net_subscription_next(
    sub: *mut NetSubscription,
    max: usize,
    timeout_ms: u64,
    out: *mut NetPollResult,
) -> c_int {
    guard::count(|| {
        let out = args::out(out, "out")?;
        *out = empty_result();
        // SAFETY: NULL or a live subscription from `net_subscribe`.
        let sub = unsafe { sub.as_ref() }.ok_or_else(|| FfiError::null("subscription"))?;
        let mut stream = {
            let mut state = sub.state.lock();
            if let Some(e) = state.deferred.take() {
                return Err(FfiError::from_sdk(e, NetStatus::NET_ERR_POLL_FAILED));
            }
            if state.ended {
                return Err(ended());
            }
            state.stream.take().ok_or_else(|| {
                FfiError::invalid_argument("net_subscription_next is already running on this subscription")
            })?
        };
        let timeout = Duration::from_millis(timeout_ms);
        let max = max.max(1);
        let (stream, got) = block_on(async move {
            let got = collect(&mut stream, max, timeout).await;
            (stream, got)
        });
        let Collected { events, error, ended: done } = got;
        {
            let mut state = sub.state.lock();
            state.stream = Some(stream);
            state.ended = done;
            if !events.is_empty() {
                // Report what stopped this batch on the next call.
                state.deferred = error;
            } else if let Some(e) = error {
                return Err(FfiError::from_sdk(e, NetStatus::NET_ERR_POLL_FAILED));
            } else if done {
                return Err(ended());
            } else {
                return Ok(0);
            }
        }
        fill_result(out, &events, None, false)?;
        Ok(events.len())
    })
}

/// Release a subscription. NULL is a no-op. Must not overlap a
/// `net_subscription_next` on the same subscription.
#[no_mangle]
pub extern "C" fn net_subscription_free(sub: *mut NetSubscription) {
    guard::guarded(
        |_| (),
        || {
            if !sub.is_null() {
                // SAFETY: non-NULL pointers come from `Box::into_raw` in `net_subscribe`.
                drop(unsafe { Box::from_raw(sub) });
            }
            Ok(())
        },
    )
}
