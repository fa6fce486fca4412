//! Per-stream state: the send side (sequence numbers, the in-flight
//! window, retransmission) and the receive side (reordering, reassembly,
//! the inbox the application reads).

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use parking_lot::Mutex;
use tokio::sync::Notify;

use super::config::{Reliability, StreamConfig, MAX_MESSAGE_SIZE};
use super::frame::{FLAG_CONT, FLAG_MORE, FLAG_RELIABLE};
use super::packer::Packer;
use crate::error::{Result, SdkError};

/// How far past the next expected sequence the receiver buffers
/// out-of-order packets; further ones are dropped (the sender's window is
/// normally far smaller).
const REORDER_LIMIT: u64 = 16_384;

/// Reliable messages up to this size are kept for retransmission as a
/// copy in the stream's arena; larger ones by reference to the caller's
/// `Bytes`.
const ARENA_MESSAGE_MAX: usize = 2048;
/// Bytes of arena allocated at a time.
const ARENA_CHUNK: usize = 64 * 1024;
/// Filled arena chunks a stream keeps for reuse (1 MiB with the current
/// one: more than a window of 8192 64-byte messages).
const ARENA_CHUNKS_KEPT: usize = 15;

/// Packets past the last selective ack that the first timer sweep after
/// an ack may resend (see [`StreamState::retransmit_due`]).
const TAIL_PROBES: u32 = 2;

/// Live counters of one stream; from [`Mesh::stream_stats`](super::Mesh::stream_stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamStats {
    /// Next sequence number this side will send.
    pub tx_seq: u64,
    /// Next sequence number this side expects to receive.
    pub rx_seq: u64,
    /// Packets sent and not yet acknowledged (reliable streams).
    pub in_flight: u64,
    /// The in-flight window.
    pub window: u32,
    /// Sends refused with `Backpressure`, cumulative.
    pub backpressure_events: u64,
    /// Packets sent again after a timeout.
    pub retransmits: u64,
    /// Messages accepted by `send_on_stream`.
    pub messages_sent: u64,
    /// Messages delivered to this side's inbox.
    pub messages_received: u64,
    /// Messages waiting in the inbox.
    pub inbox: u64,
    /// Smoothed round-trip time estimate, microseconds (0 before a sample).
    pub srtt_us: u64,
}

/// Round-trip estimator (RFC 6298 constants).
#[derive(Debug, Clone, Copy)]
struct Rtt {
    srtt: Option<Duration>,
    rttvar: Duration,
}

impl Rtt {
    fn sample(&mut self, r: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(s) => {
                let diff = s.abs_diff(r);
                self.rttvar = (self.rttvar * 3 + diff) / 4;
                self.srtt = Some((s * 7 + r) / 8);
            }
        }
    }

    fn rto(&self, min: Duration, max: Duration) -> Duration {
        match self.srtt {
            None => min * 4,
            Some(s) => (s + self.rttvar * 4).clamp(min, max),
        }
    }
}

struct Pending {
    flags: u8,
    data: Bytes,
    sent_at: u64,
    retries: u32,
    sacked: bool,
}

struct Tx {
    next_seq: u64,
    /// Every sequence below this is acknowledged; `unacked[i]` is `acked + i`.
    acked: u64,
    unacked: VecDeque<Pending>,
    rtt: Rtt,
    /// Unacknowledged packets past the last selective ack that the next
    /// timer sweep may resend (see [`StreamState::retransmit_due`]).
    tail_budget: u32,
    /// Where small reliable messages are copied until acknowledged.
    arena: Arena,
}

/// Chunks that hold copies of small unacknowledged messages. A chunk is
/// filled, then set aside; once every message in it is acknowledged (no
/// `Bytes` points into it any more) it is taken up again, so a stream in
/// steady flow allocates none.
#[derive(Default)]
struct Arena {
    current: BytesMut,
    filled: VecDeque<BytesMut>,
}

impl Arena {
    /// `payload` copied into the current chunk, as `Bytes` sharing it:
    /// one memcpy instead of a shared-header allocation per message.
    fn keep_copy(&mut self, payload: &[u8]) -> Bytes {
        if self.current.capacity() - self.current.len() < payload.len() {
            self.next_chunk();
        }
        self.current.extend_from_slice(payload);
        self.current.split().freeze()
    }

    fn next_chunk(&mut self) {
        let full = std::mem::take(&mut self.current);
        if full.capacity() > 0 || !full.is_empty() {
            self.filled.push_back(full);
        }
        // The oldest chunk is the likeliest to be fully acknowledged.
        if let Some(i) = self.filled.iter_mut().position(|c| c.try_reclaim(ARENA_CHUNK)) {
            self.current = self.filled.remove(i).expect("found at i");
        } else {
            if self.filled.len() >= ARENA_CHUNKS_KEPT {
                self.filled.pop_front();
            }
            self.current = BytesMut::with_capacity(ARENA_CHUNK);
        }
    }
}

struct Rx {
    next: u64,
    reorder: BTreeMap<u64, (u8, Bytes)>,
    partial: Option<BytesMut>,
    /// Fire-and-forget reassembly: the sequence expected next and the bytes so far.
    loose: Option<(u64, BytesMut)>,
    ack_due: bool,
    /// Reliable packets received since the last ack was taken.
    unacked: u32,
    /// A duplicate or an out-of-order packet arrived: the sender is
    /// retransmitting or missing something, so the ack should not wait.
    urgent: bool,
}

impl Rx {
    fn ack_urgent(&self) -> bool {
        self.ack_due && (self.unacked >= 2 || self.urgent || !self.reorder.is_empty())
    }
}

/// One stream to one peer (both directions).
pub struct StreamState {
    pub(crate) id: u64,
    pub(crate) reliability: Reliability,
    window: AtomicU32,
    receive_capacity: AtomicU64,
    tx: Mutex<Tx>,
    rx: Mutex<Rx>,
    inbox: Mutex<VecDeque<Bytes>>,
    pub(crate) inbox_ready: Notify,
    /// Signalled when acks free window room (and on close), for senders
    /// waiting in [`Mesh::send_blocking`](super::Mesh::send_blocking).
    pub(crate) window_open: Notify,
    /// Acks that moved the window, ever (so a waiter can tell whether one
    /// came between its try and its registration).
    window_moves: AtomicU64,
    closed: AtomicBool,
    backpressure_events: AtomicU64,
    retransmits: AtomicU64,
    messages_sent: AtomicU64,
    messages_received: AtomicU64,
}

/// How a message splits into frames.
fn fragments(len: usize, max_fragment: usize) -> usize {
    len.div_ceil(max_fragment).max(1)
}

impl StreamState {
    pub(crate) fn new(id: u64, config: StreamConfig) -> Self {
        Self {
            id,
            reliability: config.reliability,
            window: AtomicU32::new(config.window),
            receive_capacity: AtomicU64::new(config.receive_capacity.max(1) as u64),
            tx: Mutex::new(Tx {
                next_seq: 0,
                acked: 0,
                unacked: VecDeque::new(),
                rtt: Rtt { srtt: None, rttvar: Duration::ZERO },
                tail_budget: TAIL_PROBES,
                arena: Arena::default(),
            }),
            rx: Mutex::new(Rx {
                next: 0,
                reorder: BTreeMap::new(),
                partial: None,
                loose: None,
                ack_due: false,
                unacked: 0,
                urgent: false,
            }),
            inbox: Mutex::new(VecDeque::new()),
            inbox_ready: Notify::new(),
            window_open: Notify::new(),
            window_moves: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            backpressure_events: AtomicU64::new(0),
            retransmits: AtomicU64::new(0),
            messages_sent: AtomicU64::new(0),
            messages_received: AtomicU64::new(0),
        }
    }

    /// How many acks have moved the window so far.
    pub(crate) fn window_moves(&self) -> u64 {
        self.window_moves.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) fn reconfigure(&self, config: StreamConfig) {
        self.window.store(config.window, Relaxed);
        self.receive_capacity.store(config.receive_capacity.max(1) as u64, Relaxed);
    }

    /// Packets sent and not yet acknowledged.
    pub(crate) fn unacknowledged(&self) -> u64 {
        let tx = self.tx.lock();
        tx.next_seq - tx.acked
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Relaxed)
    }

    /// Close: further sends fail, receivers drain what is queued then stop.
    ///
    /// The unacknowledged packets are given up on, and `acked` moves to
    /// `next_seq` with them under the same lock: `on_ack` relies on
    /// `unacked.len() == next_seq - acked`, and an ack still in flight for
    /// a packet given up here must find nothing to remove.
    pub(crate) fn close(&self) {
        self.closed.store(true, Relaxed);
        let mut tx = self.tx.lock();
        tx.unacked.clear();
        tx.acked = tx.next_seq;
        drop(tx);
        self.inbox_ready.notify_waiters();
        self.window_open.notify_waiters();
    }

    fn reliable(&self) -> bool {
        self.reliability == Reliability::Reliable
    }

    /// Admit `payloads` and add their frames to `packer`. Reliable streams
    /// admit the whole batch or nothing: `Backpressure` when it does not fit
    /// in the window's free room. Returns how many packets were
    /// unacknowledged before this batch (what corking decides on).
    pub(crate) fn admit(&self, payloads: &[Bytes], max_fragment: usize, now: u64, packer: &mut Packer) -> Result<u64> {
        let mut packets = 0usize;
        for p in payloads {
            if p.len() > MAX_MESSAGE_SIZE {
                return Err(SdkError::MessageTooLarge { size: p.len(), max: MAX_MESSAGE_SIZE });
            }
            packets += fragments(p.len(), max_fragment);
        }
        let reliable = self.reliable();
        let window = self.window.load(Relaxed) as usize;
        if reliable && packets > window {
            return Err(SdkError::InvalidArgument(format!(
                "a batch of {packets} packets can never fit the stream's window of {window}; send smaller batches"
            )));
        }
        let mut tx = self.tx.lock();
        if self.is_closed() {
            return Err(SdkError::NotConnected);
        }
        let in_flight = (tx.next_seq - tx.acked) as usize;
        if reliable && in_flight + packets > window {
            drop(tx);
            self.backpressure_events.fetch_add(1, Relaxed);
            return Err(SdkError::Backpressure);
        }
        let base = if reliable { FLAG_RELIABLE } else { 0 };
        for p in payloads {
            let n = fragments(p.len(), max_fragment);
            // A reliable message is kept until acknowledged: small ones as
            // a copy in the stream's arena, large ones by reference.
            let kept = match reliable {
                true if p.len() <= ARENA_MESSAGE_MAX => Some(tx.arena.keep_copy(p)),
                true => Some(p.clone()),
                false => None,
            };
            for i in 0..n {
                let range = i * max_fragment..((i + 1) * max_fragment).min(p.len());
                let flags = base | if i + 1 < n { FLAG_MORE } else { 0 } | if i > 0 { FLAG_CONT } else { 0 };
                let seq = tx.next_seq;
                tx.next_seq += 1;
                packer.stream(flags, self.id, seq, &p[range.clone()]);
                if let Some(kept) = &kept {
                    let data = if n == 1 { kept.clone() } else { kept.slice(range) };
                    tx.unacked.push_back(Pending { flags, data, sent_at: now, retries: 0, sacked: false });
                }
            }
        }
        if !reliable {
            tx.acked = tx.next_seq;
        }
        drop(tx);
        self.messages_sent.fetch_add(payloads.len() as u64, Relaxed);
        Ok(in_flight as u64)
    }

    /// Count a refusal that happened after admission (a fire-and-forget
    /// datagram the socket would not take).
    pub(crate) fn record_backpressure(&self) {
        self.backpressure_events.fetch_add(1, Relaxed);
    }

    /// Apply an acknowledgement from the peer; wakes blocked senders when
    /// it freed window room. Returns whether the ack covered a resent
    /// packet: the stream is recovering from a loss, and the caller should
    /// resend what is due now rather than at the next timer tick.
    pub(crate) fn on_ack(&self, next: u64, selective: u64, now: u64) -> bool {
        let mut guard = self.tx.lock();
        let tx = &mut *guard;
        let advanced = next > tx.acked && next <= tx.next_seq;
        let mut recovering = false;
        if advanced {
            let n = (next - tx.acked) as usize;
            let mut sample = None;
            for p in tx.unacked.drain(..n) {
                if p.retries == 0 {
                    sample = Some(now.saturating_sub(p.sent_at));
                } else {
                    recovering = true;
                }
            }
            tx.acked = next;
            // Originals getting through say the path is fine: probe
            // gently again. An ack of a resent packet says the probes
            // work: keep the budget growing.
            if !recovering {
                tx.tail_budget = TAIL_PROBES;
            }
            if let Some(ns) = sample {
                tx.rtt.sample(Duration::from_nanos(ns));
            }
        }
        let mut bits = selective;
        while bits != 0 {
            let i = bits.trailing_zeros() as u64;
            bits &= bits - 1;
            let seq = next + 1 + i;
            if seq >= tx.acked {
                if let Some(p) = tx.unacked.get_mut((seq - tx.acked) as usize) {
                    p.sacked = true;
                }
            }
        }
        drop(guard);
        if advanced {
            self.window_moves.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.window_open.notify_waiters();
        }
        recovering
    }

    /// Re-add to `packer` the unacknowledged packets whose timeout has
    /// passed (exponential back-off per packet, capped at `max_rto`).
    ///
    /// Holes — packets the peer skipped while it acknowledged later ones
    /// selectively — are all resent. Beyond the last selectively acked
    /// packet nothing says whether a packet was lost or its ack is merely
    /// late (a receiver descheduled for a few milliseconds looks the same
    /// as a loss), so at most `tail_budget` of those go per sweep: it starts
    /// at [`TAIL_PROBES`], doubles with every sweep that spends it, and
    /// falls back when an ack moves the window. A late ack then costs a
    /// couple of duplicate packets rather than the whole window, and a
    /// real burst loss is resent in a few ticks.
    pub(crate) fn retransmit_due(&self, now: u64, min_rto: Duration, max_rto: Duration, packer: &mut Packer) {
        let mut tx = self.tx.lock();
        let tx = &mut *tx;
        if tx.unacked.is_empty() {
            return;
        }
        let rto = tx.rtt.rto(min_rto, max_rto);
        let last_sacked = tx.unacked.iter().rposition(|p| p.sacked);
        let (mut count, mut probes) = (0, 0);
        for (i, p) in tx.unacked.iter_mut().enumerate() {
            if p.sacked {
                continue;
            }
            let wait = (rto * (1u32 << p.retries.min(6))).min(max_rto).as_nanos() as u64;
            if now.saturating_sub(p.sent_at) < wait {
                continue;
            }
            if last_sacked.is_none_or(|j| i > j) {
                if probes == tx.tail_budget {
                    break;
                }
                probes += 1;
            }
            packer.stream(p.flags, self.id, tx.acked + i as u64, &p.data);
            p.sent_at = now;
            p.retries += 1;
            count += 1;
        }
        if probes == tx.tail_budget {
            tx.tail_budget = tx.tail_budget.saturating_mul(2);
        }
        self.retransmits.fetch_add(count, Relaxed);
    }

    /// Take a received STREAM frame. Returns whether the caller should
    /// wake readers (something reached the inbox). `data` is usually a
    /// slice of the whole decrypted datagram (one allocation per datagram,
    /// not per message).
    pub(crate) fn on_frame(&self, flags: u8, seq: u64, data: Bytes) -> bool {
        let mut rx = self.rx.lock();
        if flags & FLAG_RELIABLE == 0 {
            return self.on_loose(&mut rx, flags, seq, data);
        }
        rx.ack_due = true;
        rx.unacked = rx.unacked.saturating_add(1);
        if seq != rx.next {
            rx.urgent = true;
        }
        if seq < rx.next || seq >= rx.next + REORDER_LIMIT || rx.reorder.contains_key(&seq) {
            return false;
        }
        if seq == rx.next && flags & FLAG_MORE == 0 && rx.partial.is_none() && rx.reorder.is_empty() {
            // The common case, in order and whole: straight to the inbox.
            let mut inbox = self.inbox.lock();
            if inbox.len() < self.receive_capacity.load(Relaxed) as usize {
                inbox.push_back(data);
                drop(inbox);
                rx.next += 1;
                self.messages_received.fetch_add(1, Relaxed);
                return true;
            }
        }
        rx.reorder.insert(seq, (flags, data));
        self.deliver_in_order(&mut rx)
    }

    /// Move consecutive packets from the reorder buffer to the inbox while
    /// the inbox has room.
    fn deliver_in_order(&self, rx: &mut Rx) -> bool {
        let capacity = self.receive_capacity.load(Relaxed) as usize;
        let mut inbox = self.inbox.lock();
        let mut delivered = 0u64;
        while inbox.len() < capacity {
            let next = rx.next;
            let Some((flags, data)) = rx.reorder.remove(&next) else { break };
            rx.next += 1;
            let more = flags & FLAG_MORE != 0;
            let whole = match rx.partial.take() {
                None if !more => Some(data),
                None => {
                    rx.partial = Some(BytesMut::from(&data[..]));
                    None
                }
                Some(mut buf) => {
                    buf.extend_from_slice(&data);
                    if more {
                        rx.partial = Some(buf);
                        None
                    } else {
                        Some(buf.freeze())
                    }
                }
            };
            if let Some(m) = whole {
                inbox.push_back(m);
                delivered += 1;
            }
        }
        drop(inbox);
        self.messages_received.fetch_add(delivered, Relaxed);
        delivered > 0
    }

    fn on_loose(&self, rx: &mut Rx, flags: u8, seq: u64, data: Bytes) -> bool {
        rx.next = rx.next.max(seq + 1);
        let (more, cont) = (flags & FLAG_MORE != 0, flags & FLAG_CONT != 0);
        let whole = if !cont && !more {
            rx.loose = None;
            data
        } else if !cont {
            rx.loose = Some((seq + 1, BytesMut::from(&data[..])));
            return false;
        } else {
            // A continuation: only if it follows the fragment before it.
            match rx.loose.take() {
                Some((expect, mut buf)) if expect == seq => {
                    buf.extend_from_slice(&data);
                    if more {
                        rx.loose = Some((seq + 1, buf));
                        return false;
                    }
                    buf.freeze()
                }
                _ => return false,
            }
        };
        let mut inbox = self.inbox.lock();
        if inbox.len() >= self.receive_capacity.load(Relaxed) as usize {
            return false;
        }
        inbox.push_back(whole);
        drop(inbox);
        self.messages_received.fetch_add(1, Relaxed);
        true
    }

    /// The ACK to send if one is due: (next expected, selective bits).
    pub(crate) fn take_ack(&self) -> Option<(u64, u64)> {
        let mut rx = self.rx.lock();
        if !rx.ack_due {
            return None;
        }
        rx.ack_due = false;
        rx.unacked = 0;
        rx.urgent = false;
        let mut bits = 0u64;
        for (&seq, _) in rx.reorder.range(rx.next + 1..rx.next + 65) {
            bits |= 1 << (seq - rx.next - 1);
        }
        Some((rx.next, bits))
    }

    /// Return a popped message to the front of the inbox and wake readers.
    pub(crate) fn put_back(&self, m: Bytes) {
        self.inbox.lock().push_front(m);
        self.inbox_ready.notify_waiters();
    }

    /// Pop one message from the inbox; refills it from the reorder buffer
    /// (and marks an ack due) when flow control had held packets back.
    #[cfg(test)]
    pub(crate) fn pop(&self) -> Option<Bytes> {
        self.pop_and_ack_urgent().map(|(m, _)| m)
    }

    /// [`pop`](Self::pop), and whether an ack should go out now (see
    /// [`ack_urgent`](Self::ack_urgent)), under one lock of the receive state.
    pub(crate) fn pop_and_ack_urgent(&self) -> Option<(Bytes, bool)> {
        let m = self.inbox.lock().pop_front()?;
        let mut rx = self.rx.lock();
        if !rx.reorder.is_empty() && self.deliver_in_order(&mut rx) {
            // The sender waits on these: tell it now.
            rx.ack_due = true;
            rx.urgent = true;
        }
        Some((m, rx.ack_urgent()))
    }

    /// Whether the owed ack should go out now rather than wait (for a
    /// reply to carry it, or the next timer tick): as TCP's delayed ack,
    /// a lone in-order packet may wait; two or more, a duplicate, a gap or
    /// held-back packets may not.
    pub(crate) fn ack_urgent(&self) -> bool {
        self.rx.lock().ack_urgent()
    }

    /// Whether an ack is owed (urgent or not).
    #[cfg(test)]
    pub(crate) fn ack_pending(&self) -> bool {
        self.rx.lock().ack_due
    }

    pub(crate) fn stats(&self) -> StreamStats {
        let (tx_seq, in_flight, srtt) = {
            let tx = self.tx.lock();
            (tx.next_seq, tx.next_seq - tx.acked, tx.rtt.srtt.map_or(0, |d| d.as_micros() as u64))
        };
        StreamStats {
            tx_seq,
            rx_seq: self.rx.lock().next,
            in_flight,
            window: self.window.load(Relaxed),
            backpressure_events: self.backpressure_events.load(Relaxed),
            retransmits: self.retransmits.load(Relaxed),
            messages_sent: self.messages_sent.load(Relaxed),
            messages_received: self.messages_received.load(Relaxed),
            inbox: self.inbox.lock().len() as u64,
            srtt_us: srtt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::frame::{frames, Frame};
    use crate::mesh::packet::HEADER_LEN;

    fn feed(from: &Packer, to: &StreamState) {
        for d in &from.datagrams {
            for f in frames(&d[HEADER_LEN..]) {
                if let Ok(Frame::Stream { flags, seq, data, .. }) = f {
                    to.on_frame(flags, seq, Bytes::copy_from_slice(data));
                }
            }
        }
    }

    fn drain(s: &StreamState) -> Vec<Bytes> {
        std::iter::from_fn(|| s.pop()).collect()
    }

    /// An ack that was in flight when the stream closed must find nothing
    /// to remove (it panicked the receive task: `drain(..n)` past the end
    /// of the list `close` had emptied).
    #[test]
    fn an_ack_after_close_is_harmless() {
        for window in [1u32, 64, 4096] {
            let (a, b) = (StreamState::new(1, StreamConfig::new().with_window_bytes(window)), StreamState::new(1, StreamConfig::new()));
            let mut p = Packer::new(1400);
            let msgs: Vec<Bytes> = (0..window).map(|i| Bytes::from(i.to_le_bytes().to_vec())).collect();
            a.admit(&msgs, 1000, 0, &mut p).unwrap();
            feed(&p, &b);
            let (next, sel) = b.take_ack().unwrap();
            assert_eq!(next, u64::from(window));
            a.close();
            a.on_ack(next, sel, 1_000);
            a.on_ack(next / 2, u64::MAX, 2_000);
            assert_eq!(a.stats().in_flight, 0, "window {window}");
            assert!(matches!(a.admit(&msgs[..1], 1000, 0, &mut p), Err(SdkError::NotConnected)));
        }
    }

    #[test]
    fn window_backpressure_and_acks() {
        let (a, b) = (StreamState::new(1, StreamConfig::new().with_window_bytes(4)), StreamState::new(1, StreamConfig::new()));
        let mut p = Packer::new(1400);
        let msgs: Vec<Bytes> = (0..3u8).map(|i| Bytes::from(vec![i; 10])).collect();
        a.admit(&msgs, 1000, 0, &mut p).unwrap();
        assert!(matches!(a.admit(&msgs, 1000, 0, &mut p), Err(SdkError::Backpressure)));
        assert_eq!(a.stats().backpressure_events, 1);
        assert!(matches!(a.admit(&vec![Bytes::new(); 5], 1000, 0, &mut p), Err(SdkError::InvalidArgument(_))));
        feed(&p, &b);
        assert_eq!(drain(&b), msgs);
        let (next, sel) = b.take_ack().unwrap();
        assert_eq!((next, sel), (3, 0));
        assert!(b.take_ack().is_none());
        a.on_ack(next, sel, 1_000_000);
        assert_eq!(a.stats().in_flight, 0);
        assert_eq!(a.stats().srtt_us, 1000);
        a.admit(&msgs, 1000, 0, &mut p).unwrap();
        assert!(matches!(
            a.admit(&[Bytes::from(vec![0; MAX_MESSAGE_SIZE + 1])], 1000, 0, &mut p),
            Err(SdkError::MessageTooLarge { .. })
        ));
    }

    #[test]
    fn fragments_reorder_and_retransmit() {
        let (a, b) = (StreamState::new(1, StreamConfig::new()), StreamState::new(1, StreamConfig::new()));
        let big = Bytes::from((0..2500u32).map(|i| i as u8).collect::<Vec<_>>());
        let mut p = Packer::new(1400);
        a.admit(&[big.clone(), Bytes::from_static(b"tail")], 1000, 0, &mut p).unwrap();
        assert_eq!(a.stats().in_flight, 4, "3 fragments + 1");
        // Deliver in reverse order: nothing until the first arrives.
        let mut frames_seen = Vec::new();
        for d in &p.datagrams {
            for f in frames(&d[HEADER_LEN..]) {
                if let Ok(Frame::Stream { flags, seq, data, .. }) = f {
                    frames_seen.push((flags, seq, data.to_vec()));
                }
            }
        }
        for (flags, seq, data) in frames_seen.iter().skip(1).rev() {
            b.on_frame(*flags, *seq, Bytes::copy_from_slice(data));
        }
        assert!(drain(&b).is_empty());
        let (next, sel) = b.take_ack().unwrap();
        assert_eq!((next, sel), (0, 0b111));
        a.on_ack(next, sel, 5);
        // Only seq 0 is left to retransmit (the others were selectively acked).
        let mut again = Packer::new(1400);
        a.retransmit_due(u64::MAX / 2, Duration::from_millis(1), Duration::from_secs(1), &mut again);
        assert_eq!(a.stats().retransmits, 1);
        feed(&again, &b);
        feed(&again, &b); // a duplicate is ignored
        assert_eq!(drain(&b), vec![big, Bytes::from_static(b"tail")]);
        assert_eq!(b.stats().messages_received, 2);
    }

    /// Past the last selective ack a timeout may be a late ack, not a
    /// loss: a sweep resends 2 such packets, then 4, 8, … while nothing is
    /// acknowledged or only resent packets are (recovery: the budget keeps
    /// growing); an ack of packets sent once starts over at 2. Holes below
    /// a selective ack are resent at once, all of them.
    #[test]
    fn timeouts_probe_the_tail_and_resend_every_hole() {
        let a = StreamState::new(1, StreamConfig::new().with_window_bytes(1024));
        let mut p = Packer::new(1400);
        a.admit(&vec![Bytes::from_static(b"m"); 100], 1000, 0, &mut p).unwrap();
        let (rto, max) = (Duration::from_millis(1), Duration::from_secs(60));
        let sweep = |now_ms: u64| {
            let before = a.stats().retransmits;
            a.retransmit_due(now_ms * 1_000_000, rto, max, &mut Packer::new(1400));
            a.stats().retransmits - before
        };
        // Each packet backs off after its own resend, so later sweeps are
        // far enough apart for the untouched ones to be due again.
        assert_eq!([sweep(10), sweep(20), sweep(30)], [2, 4, 8]);
        // 0..10, all resent, arrive: recovering, the budget keeps growing.
        assert!(a.on_ack(10, 0, 31_000_000));
        assert_eq!(sweep(40), 16);
        // 20 and 21 arrived past a gap: the ten holes 10..20 all go, plus
        // 32 probes past 21.
        assert!(!a.on_ack(10, 0b11 << 9, 41_000_000), "nothing new acknowledged");
        assert_eq!(sweep(1000), 10 + 32);
        // Everything below 54 (all resent) arrives: still recovering.
        assert!(a.on_ack(54, 0, 1_001_000_000));
        // 54..70 were sent once: the path delivers originals, so the next
        // sweep probes gently again.
        assert!(!a.on_ack(70, 0, 1_002_000_000));
        assert_eq!(sweep(100_000), 2);
    }

    #[test]
    fn a_lone_in_order_packet_may_delay_its_ack_others_may_not() {
        let (a, b) = (StreamState::new(1, StreamConfig::new()), StreamState::new(1, StreamConfig::new()));
        let one = |n: usize| {
            let mut p = Packer::new(1400);
            a.admit(&vec![Bytes::from_static(b"m"); n], 1000, 0, &mut p).unwrap();
            p
        };
        assert!(!b.ack_urgent(), "nothing owed");
        let first = one(1);
        feed(&first, &b);
        assert!(b.ack_pending() && !b.ack_urgent(), "one in-order packet: the reply may carry the ack");
        feed(&one(1), &b);
        assert!(b.ack_urgent(), "two unacknowledged packets");
        assert_eq!(b.take_ack(), Some((2, 0)));
        assert!(!b.ack_urgent());
        feed(&first, &b);
        assert!(b.ack_urgent(), "a duplicate means our ack was lost");
        b.take_ack();
        let (_skipped, after) = (one(1), one(1));
        feed(&after, &b);
        assert!(b.ack_urgent(), "a gap: the sender should learn of it now");
    }

    #[test]
    fn receive_capacity_holds_back_and_pop_refills() {
        let (a, b) = (StreamState::new(1, StreamConfig::new()), StreamState::new(1, StreamConfig::new().with_receive_capacity(2)));
        let mut p = Packer::new(1400);
        let msgs: Vec<Bytes> = (0..5u8).map(|i| Bytes::from(vec![i])).collect();
        a.admit(&msgs, 1000, 0, &mut p).unwrap();
        feed(&p, &b);
        assert_eq!(b.stats().inbox, 2);
        assert_eq!(b.take_ack().unwrap().0, 2, "only delivered packets are acknowledged");
        assert_eq!(drain(&b), msgs, "popping refills from the held packets");
        assert!(b.ack_urgent(), "released packets are acknowledged at once");
    }

    #[test]
    fn fire_and_forget_reassembles_only_complete_messages() {
        let cfg = StreamConfig::new().with_reliability(Reliability::FireAndForget);
        let (a, b) = (StreamState::new(1, cfg), StreamState::new(1, cfg));
        let mut p = Packer::new(1400);
        let big = Bytes::from(vec![9u8; 2500]);
        a.admit(&[big.clone(), Bytes::from_static(b"x")], 1000, 0, &mut p).unwrap();
        assert_eq!(a.stats().in_flight, 0);
        let mut fr = Vec::new();
        for d in &p.datagrams {
            for f in frames(&d[HEADER_LEN..]) {
                if let Ok(Frame::Stream { flags, seq, data, .. }) = f {
                    fr.push((flags, seq, data.to_vec()));
                }
            }
        }
        // Lose the middle fragment: the big message is dropped, "x" arrives.
        for (i, (flags, seq, data)) in fr.iter().enumerate() {
            if i != 1 {
                b.on_frame(*flags, *seq, Bytes::copy_from_slice(data));
            }
        }
        assert_eq!(drain(&b), vec![Bytes::from_static(b"x")]);
        for (flags, seq, data) in &fr {
            b.on_frame(*flags, *seq, Bytes::copy_from_slice(data));
        }
        assert_eq!(drain(&b), vec![big, Bytes::from_static(b"x")]);
        assert!(b.take_ack().is_none(), "fire-and-forget is never acknowledged");
    }
}
