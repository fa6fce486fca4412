//! An established (or confirming) session with one peer: its keys, its
//! address, its liveness clock and its streams.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard, RwLock};
use tokio::sync::Notify;

use super::config::{StreamConfig, Reliability};
use super::crypto::SessionCrypto;
use super::frame::{Frame, STREAM_OVERHEAD};
use super::packer::Packer;
use super::packet::{HEADER_LEN, TAG_LEN};
use super::node::MeshInner;
use super::stream::StreamState;
use crate::identity::EntityId;

/// One session. Replaced as a whole by a new handshake; closing it closes
/// its streams.
pub struct Session {
    pub(crate) peer_node: u64,
    pub(crate) peer_entity: EntityId,
    pub(crate) local_index: u32,
    pub(crate) peer_index: u32,
    pub(crate) addr: Mutex<SocketAddr>,
    pub(crate) crypto: SessionCrypto,
    pub(crate) streams: RwLock<HashMap<u64, Arc<StreamState>>>,
    /// Clock nanos of the last authentic packet from the peer.
    pub(crate) last_rx: AtomicU64,
    /// Clock nanos of the last packet sent to the peer.
    pub(crate) last_tx: AtomicU64,
    /// Both sides hold the keys (the peer proved it by a packet).
    pub(crate) confirmed: AtomicBool,
    pub(crate) confirmed_signal: Notify,
    /// Some stream may owe the peer an ack: an outgoing send carries it.
    pub(crate) acks_pending: AtomicBool,
    /// Frames on their way to the peer, packed into datagrams; a send
    /// may leave its last datagram here for later frames to fill (see
    /// [`super::cork`]).
    pub(crate) outbox: Mutex<Packer>,
    /// Payload bytes one STREAM frame carries in this session's datagrams
    /// (their size follows the peer's address; see `MeshConfig`).
    pub(crate) max_fragment: usize,
    closed: AtomicBool,
    pub(crate) created: u64,
}

impl Session {
    pub(crate) fn new(
        peer_entity: EntityId,
        local_index: u32,
        peer_index: u32,
        addr: SocketAddr,
        crypto: SessionCrypto,
        max_datagram: usize,
        now: u64,
    ) -> Self {
        Self {
            peer_node: peer_entity.node_id(),
            peer_entity,
            local_index,
            peer_index,
            addr: Mutex::new(addr),
            crypto,
            streams: RwLock::new(HashMap::new()),
            last_rx: AtomicU64::new(now),
            last_tx: AtomicU64::new(now),
            confirmed: AtomicBool::new(false),
            confirmed_signal: Notify::new(),
            acks_pending: AtomicBool::new(false),
            outbox: Mutex::new(Packer::new(max_datagram)),
            max_fragment: max_datagram - HEADER_LEN - TAG_LEN - STREAM_OVERHEAD,
            closed: AtomicBool::new(false),
            created: now,
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Relaxed)
    }

    /// Close the session and every stream on it (idempotent).
    pub(crate) fn close(&self) {
        if self.closed.swap(true, Relaxed) {
            return;
        }
        for s in self.streams.read().values() {
            s.close();
        }
        self.confirmed_signal.notify_waiters();
    }

    pub(crate) fn confirm(&self) {
        if !self.confirmed.swap(true, std::sync::atomic::Ordering::AcqRel) {
            self.confirmed_signal.notify_waiters();
        }
    }

    /// The stream `id`, created with `config` if new (an existing stream
    /// keeps its reliability and takes the new window).
    pub(crate) fn stream(&self, id: u64, config: Option<StreamConfig>) -> Arc<StreamState> {
        if let Some(s) = self.streams.read().get(&id) {
            if let Some(c) = config {
                s.reconfigure(c);
            }
            return s.clone();
        }
        let mut map = self.streams.write();
        let s = map.entry(id).or_insert_with(|| Arc::new(StreamState::new(id, config.unwrap_or_default())));
        if self.is_closed() {
            s.close();
        }
        s.clone()
    }

    /// The stream for an inbound frame: created on first sight with the
    /// reliability the frame says.
    pub(crate) fn inbound_stream(&self, id: u64, reliable: bool) -> Arc<StreamState> {
        if let Some(s) = self.streams.read().get(&id) {
            return s.clone();
        }
        let r = if reliable { Reliability::Reliable } else { Reliability::FireAndForget };
        self.stream(id, Some(StreamConfig::new().with_reliability(r)))
    }

    /// Add the acks our streams owe the peer to `packer` (piggybacked on a
    /// send, so a reply does not cost the receive task an extra datagram).
    pub(crate) fn piggyback_acks(&self, packer: &mut Packer) {
        if !self.acks_pending.swap(false, Relaxed) {
            return;
        }
        for s in self.streams.read().values() {
            if let Some((next, selective)) = s.take_ack() {
                packer.frame(Frame::Ack { stream: s.id, next, selective });
            }
        }
    }

    /// Seal and send the outbox's datagrams: all of them, or with
    /// `keep_last` all but the last (left open for more frames). The
    /// outbox is unlocked while sealing and sending, so other senders keep
    /// packing meanwhile. Returns (datagrams sent, datagrams taken).
    pub(crate) fn flush(&self, inner: &MeshInner, mut outbox: MutexGuard<'_, Packer>, keep_last: bool, now: u64) -> (usize, usize) {
        if outbox.is_empty() {
            return (0, 0);
        }
        let mut ready = outbox.take_ready(keep_last);
        drop(outbox);
        let total = ready.len();
        let mut sent = 0;
        if ready.iter_mut().all(|d| self.crypto.seal(self.peer_index, d).is_ok()) {
            let addr = *self.addr.lock();
            sent = inner.socket.send_batch(addr, &ready);
            self.last_tx.store(now, Relaxed);
            inner.counters.datagrams_sent.fetch_add(sent as u64, Relaxed);
            inner.counters.datagrams_refused.fetch_add((total - sent) as u64, Relaxed);
        } else {
            // Key epochs exhausted: the session cannot send any more.
            self.close();
        }
        self.outbox.lock().recycle(ready);
        (sent, total)
    }

    /// Send a single control frame (with whatever the outbox holds).
    pub(crate) fn send_frame(&self, inner: &MeshInner, frame: Frame<'_>, now: u64) {
        let mut outbox = self.outbox.lock();
        outbox.frame(frame);
        self.flush(inner, outbox, false, now);
    }
}
