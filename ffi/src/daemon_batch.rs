//! `net_daemon_deliver_batch`: many events to one daemon in one call, so a
//! C (or Go) host pays the boundary once per batch instead of once per
//! event. Payloads travel packed (back to back, with their lengths), which
//! needs no array of pointers: a Go caller can pass its buffers as they are.

use std::ffi::c_int;

use bytes::Bytes;
use net_sdk::compute::CausalEvent;

use crate::args;
use crate::daemon::{runtime_of, NetDaemonOutputs};
use crate::guard;
use crate::meshos::NetMeshOsSdk;
use crate::status::FfiError;

/// Split `data` into `lens.len()` payloads of those lengths, which must
/// add up to exactly `data.len()`.
fn split_packed(data: &[u8], lens: &[usize]) -> Result<Vec<Bytes>, FfiError> {
    let total = lens.iter().try_fold(0usize, |sum, &n| sum.checked_add(n));
    if total != Some(data.len()) {
        return Err(FfiError::invalid_argument(format!(
            "the payload lengths add up to {}, but data holds {} bytes",
            total.map_or_else(|| "more than usize::MAX".to_owned(), |t| t.to_string()),
            data.len()
        )));
    }
    let mut start = 0;
    Ok(lens
        .iter()
        .map(|&n| {
            let piece = Bytes::copy_from_slice(&data[start..start + n]);
            start += n;
            piece
        })
        .collect())
}

/// Deliver `count` events to daemon `daemon_id` of `sdk`, in order, on
/// this thread: event `i` comes from `event_origin` with sequence
/// `first_sequence + i`, and its payload is the next `lens[i]` bytes of
/// `data` (the lengths must add up to `data_len`).
///
/// `*delivered` is how many events the daemon handled and `*out` their
/// outputs, event after event (`net_daemon_outputs_event_range` says which
/// belong to which); release `*out` with `net_daemon_outputs_free`.
/// When `process` fails on an event, the batch stops there: the call
/// returns `NET_ERR_DAEMON` (kind `process-failed`), `*delivered` is that
/// event's index, and `*out` still holds the outputs of the events before
/// it (free it too). Refusals before any event is handled (NULL arguments,
/// lengths that do not match, an unknown daemon, a re-entrant call) leave
/// `*out` NULL and `*delivered` 0. An empty batch succeeds with no outputs.
#[no_mangle]
pub extern "C" fn net_daemon_deliver_batch(
    sdk: *mut NetMeshOsSdk,
    daemon_id: u64,
    event_origin: u64,
    first_sequence: u64,
    data: *const u8,
    data_len: usize,
    lens: *const usize,
    count: usize,
    out: *mut *mut NetDaemonOutputs,
    delivered: *mut usize,
) -> c_int {
    guard::status(|| {
        let out = args::out(out, "out")?;
        let delivered = args::out(delivered, "delivered")?;
        *out = std::ptr::null_mut();
        *delivered = 0;
        let runtime = runtime_of(sdk)?;
        let payloads = split_packed(args::bytes(data, data_len, "data")?, args::slice(lens, count, "lens")?)?;
        let events: Vec<CausalEvent> = payloads
            .into_iter()
            .zip(0u64..)
            .map(|(payload, i)| CausalEvent::new(event_origin, first_sequence.wrapping_add(i), payload))
            .collect();
        let batch = runtime.deliver_batch(daemon_id, &events)?;
        *delivered = batch.outputs.len();
        let event_ends = batch
            .outputs
            .iter()
            .scan(0, |end, outs| {
                *end += outs.len();
                Some(*end)
            })
            .collect();
        let payloads = batch.outputs.into_iter().flatten().map(|e| e.payload).collect();
        *out = Box::into_raw(Box::new(NetDaemonOutputs { payloads, event_ends }));
        batch.error.map_or(Ok(()), |e| Err(e.into()))
    })
}

/// Which outputs event `event` of a delivery produced: `*first` is the
/// index of its first output (for `net_daemon_outputs_get`) and `*count`
/// how many it has. `NET_ERR_INVALID_ARGUMENT` for an event past the
/// delivered ones.
#[no_mangle]
pub extern "C" fn net_daemon_outputs_event_range(
    outputs: *const NetDaemonOutputs,
    event: usize,
    first: *mut usize,
    count: *mut usize,
) -> c_int {
    guard::status(|| {
        // SAFETY: NULL or a live pointer from a delivery (contract).
        let o = unsafe { outputs.as_ref() }.ok_or_else(|| FfiError::null("outputs"))?;
        let first = args::out(first, "first")?;
        let count = args::out(count, "count")?;
        let end = *o.event_ends.get(event).ok_or_else(|| {
            FfiError::invalid_argument(format!("event {event} was not delivered ({} were)", o.event_ends.len()))
        })?;
        *first = event.checked_sub(1).map_or(0, |prev| o.event_ends[prev]);
        *count = end - *first;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_payloads_split_at_their_lengths() {
        let parts = split_packed(b"abcdef", &[1, 0, 2, 3]).unwrap();
        assert_eq!(parts, [&b"a"[..], b"", b"bc", b"def"]);
    }

    #[test]
    fn lengths_that_do_not_cover_the_data_are_refused() {
        assert!(split_packed(b"abc", &[1, 1]).is_err());
        assert!(split_packed(b"abc", &[2, 2]).is_err());
        assert!(split_packed(b"", &[usize::MAX, 2]).is_err(), "an overflowing sum is refused, not wrapped");
    }
}
