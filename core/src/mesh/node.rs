//! [`Mesh`]: one node of the encrypted mesh, and its shared state.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

use super::config::{MeshConfig, PeerState, StreamConfig};
use super::cork;
use super::frame::Frame;
use super::handshake::StaticKeys;
use super::session::Session;
use super::socket::Socket;
use super::stream::{StreamState, StreamStats};
use crate::clock::Clock;
use crate::error::{Result, SdkError};
use crate::identity::{EntityId, Identity};

/// First back-off of the retrying sends.
pub const RETRY_BACKOFF_MIN: Duration = Duration::from_millis(5);
/// Largest back-off of the retrying sends.
pub const RETRY_BACKOFF_MAX: Duration = Duration::from_millis(200);

/// What the receive task hands a `connect` in progress.
pub(crate) enum DialEvent {
    Response(Vec<u8>, SocketAddr),
    Rejected(u8),
}

/// Mesh-wide counters; from [`Mesh::stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MeshStats {
    /// Datagrams received (any kind).
    pub datagrams_received: u64,
    /// Datagrams handed to the socket.
    pub datagrams_sent: u64,
    /// Datagrams the socket refused because its send buffer was full
    /// (reliable packets among them are retransmitted).
    pub datagrams_refused: u64,
    /// Packets that failed authentication and were dropped.
    pub tampered: u64,
    /// Authentic packets refused as replays (duplicate or too old).
    pub replayed: u64,
    /// Datagrams that were not packets, or for no known session.
    pub malformed: u64,
    /// Handshakes that produced a confirmed session.
    pub handshakes_completed: u64,
    /// Handshakes refused or failed (wrong key, identity, PSK).
    pub handshakes_failed: u64,
    /// Sessions whose peer has not confirmed yet.
    pub pending_handshakes: u64,
    /// Live sessions.
    pub sessions: u64,
    /// Panics caught in the receive task (each lost one datagram or one
    /// batch's acks; the task kept running). See [`Mesh::last_panic`].
    pub receive_panics: u64,
    /// Panics caught in the timer task (each lost one sweep).
    pub maintenance_panics: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub datagrams_received: AtomicU64,
    pub datagrams_sent: AtomicU64,
    pub datagrams_refused: AtomicU64,
    pub tampered: AtomicU64,
    pub replayed: AtomicU64,
    pub malformed: AtomicU64,
    pub handshakes_completed: AtomicU64,
    pub handshakes_failed: AtomicU64,
}

/// A peer as [`Mesh::peers`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// The peer's node id.
    pub node_id: u64,
    /// The peer's authenticated identity.
    pub entity_id: EntityId,
    /// Where its packets come from.
    pub addr: SocketAddr,
    /// Its liveness.
    pub state: PeerState,
}

/// A hello we answered: our session index and the reply packet.
pub(crate) type Answer = (u32, Vec<u8>);

pub(crate) struct MeshInner {
    pub identity: Identity,
    pub keys: StaticKeys,
    pub psk: [u8; 32],
    pub config: MeshConfig,
    pub clock: Clock,
    pub socket: Socket,
    pub local_addr: SocketAddr,
    /// Sessions by the index we chose (confirmed or not).
    pub by_index: RwLock<HashMap<u32, Arc<Session>>>,
    /// The current confirmed session per peer (kept when dead, for its state).
    pub peers: RwLock<HashMap<u64, Arc<Session>>>,
    /// `connect` calls waiting for a reply, by their session index.
    pub dialing: Mutex<HashMap<u32, mpsc::UnboundedSender<DialEvent>>>,
    /// Hellos answered: (addr, initiator index) -> (our index, reply packet),
    /// so a retransmitted hello gets the same answer.
    pub answered: Mutex<HashMap<(SocketAddr, u32), Answer>>,
    /// Node ids with an `accept` in progress (count of waiters).
    pub accepting: Mutex<HashMap<u64, usize>>,
    /// `accept_any` calls in progress: while non-zero, any node holding
    /// the PSK is answered.
    pub accepting_any: std::sync::atomic::AtomicUsize,
    /// Refuse hellos nobody accepts (starts as the builder's setting).
    pub refuse_unaccepted: AtomicBool,
    /// Nodes we have had a session with: their reconnects are answered.
    pub known: RwLock<HashSet<u64>>,
    /// Signalled when a session is confirmed or closed.
    pub peer_change: Notify,
    pub counters: Counters,
    /// Panics the background tasks survived.
    pub panics: super::survive::PanicLog,
    /// Test hook: the next datagram's handling panics.
    #[cfg(test)]
    pub inject_receive_panic: AtomicBool,
    pub shutdown: AtomicBool,
    pub maintenance_started: AtomicBool,
    /// Capability announcements, their index and the subnet geometry.
    pub caps: super::capabilities::CapabilityState,
}

impl MeshInner {
    pub fn now(&self) -> u64 {
        self.clock.now_nanos()
    }

    /// A fresh, unused, non-zero session index.
    pub fn new_index(&self) -> u32 {
        loop {
            let i: u32 = rand::random();
            if i != 0 && !self.by_index.read().contains_key(&i) && !self.dialing.lock().contains_key(&i) {
                return i;
            }
        }
    }

    pub fn check_open(&self) -> Result<()> {
        if self.shutdown.load(Relaxed) {
            Err(SdkError::Closed)
        } else {
            Ok(())
        }
    }

    /// Liveness of `session` now.
    pub fn state_of(&self, session: &Session) -> PeerState {
        if session.is_closed() {
            return PeerState::Dead;
        }
        let silent = Duration::from_nanos(self.now().saturating_sub(session.last_rx.load(Relaxed)));
        if silent >= self.config.dead_after {
            PeerState::Dead
        } else if silent >= self.config.suspect_after {
            PeerState::Suspect
        } else {
            PeerState::Alive
        }
    }

    /// Make `session` the peer's current one (closing any older session).
    pub fn promote(&self, session: &Arc<Session>) {
        let old = self.peers.write().insert(session.peer_node, session.clone());
        if let Some(old) = old.filter(|o| !Arc::ptr_eq(o, session)) {
            self.retire(&old);
        }
        self.known.write().insert(session.peer_node);
        self.counters.handshakes_completed.fetch_add(1, Relaxed);
        self.peer_change.notify_waiters();
        self.caps.peer_up(session.peer_node);
    }

    /// Close `session` and forget its index.
    pub fn retire(&self, session: &Session) {
        session.close();
        self.by_index.write().remove(&session.local_index);
        self.peer_change.notify_waiters();
    }

    /// The current session with `peer` if it can carry traffic.
    pub fn live_session(&self, peer: u64) -> Result<Arc<Session>> {
        let s = self.peers.read().get(&peer).cloned().ok_or(SdkError::NotConnected)?;
        if self.state_of(&s) == PeerState::Dead {
            return Err(SdkError::NotConnected);
        }
        Ok(s)
    }

    /// The body of every send (see [`Mesh::send_now`]).
    pub(crate) fn send_now(&self, stream: &MeshStream, payloads: &[Bytes]) -> Result<()> {
        let inner = self;
        inner.check_open()?;
        if !stream.is_open() || inner.state_of(&stream.session) == PeerState::Dead {
            return Err(SdkError::NotConnected);
        }
        let now = inner.now();
        let session = &stream.session;
        let mut outbox = session.outbox.lock();
        let in_flight = stream.state.admit(payloads, session.max_fragment, now, &mut outbox)?;
        session.piggyback_acks(&mut outbox);
        let keep_last = match cork::release(stream.state.reliability, in_flight, outbox.closed_datagrams()) {
            cork::Release::All => false,
            cork::Release::Closed => true,
            cork::Release::Hold => return Ok(()),
        };
        let (sent, total) = session.flush(inner, outbox, keep_last, now);
        if sent < total && stream.state.reliability == super::Reliability::FireAndForget {
            // The socket's buffer is full: report it rather than queue.
            stream.state.record_backpressure();
            return Err(SdkError::Backpressure);
        }
        Ok(())
    }

    pub fn send_ack_if_due(&self, session: &Session, stream: &StreamState) {
        if let Some((next, selective)) = stream.take_ack() {
            let frame = Frame::Ack { stream: stream.id, next, selective };
            session.send_frame(self, frame, self.now());
        }
    }
}

/// Aborts the mesh's tasks when the last [`Mesh`] clone goes away.
pub(crate) struct TaskGuard(pub Mutex<Vec<JoinHandle<()>>>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        for t in self.0.lock().drain(..) {
            t.abort();
        }
    }
}

/// One node of the encrypted mesh; from [`MeshBuilder`](super::MeshBuilder).
///
/// Cheap to clone (all clones are the same node). Handshakes with
/// [`connect`](Self::connect) / [`accept`](Self::accept), then
/// [`start`](Self::start) the heartbeat and retransmission timers, then
/// open streams. Dropping the last clone stops the node's tasks;
/// [`shutdown`](Self::shutdown) also tells the peers.
#[derive(Clone)]
pub struct Mesh {
    pub(crate) inner: Arc<MeshInner>,
    pub(crate) tasks: Arc<TaskGuard>,
}

/// A handle to one stream with one peer; from [`Mesh::open_stream`].
///
/// The handle belongs to the session it was opened on: after the peer
/// dies or reconnects it fails with `NotConnected`; open the stream again.
#[derive(Clone)]
pub struct MeshStream {
    pub(crate) session: Arc<Session>,
    pub(crate) state: Arc<StreamState>,
}

impl std::fmt::Debug for MeshStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeshStream").field("peer", &self.peer()).field("stream_id", &self.id()).finish()
    }
}

impl MeshStream {
    /// The peer's node id.
    pub fn peer(&self) -> u64 {
        self.session.peer_node
    }

    /// The stream id.
    pub fn id(&self) -> u64 {
        self.state.id
    }

    /// Whether sends on this handle can still succeed.
    pub fn is_open(&self) -> bool {
        !self.state.is_closed() && !self.session.is_closed()
    }
}

impl Mesh {
    /// This node's id (derived from its identity).
    pub fn node_id(&self) -> u64 {
        self.inner.identity.node_id()
    }

    /// This node's identity (ed25519 public key).
    pub fn entity_id(&self) -> &EntityId {
        self.inner.identity.entity_id()
    }

    /// The static x25519 public key a peer needs to dial this node.
    pub fn public_key(&self) -> [u8; 32] {
        self.inner.keys.public
    }

    /// The bound UDP address (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local_addr
    }

    /// Start heartbeats, failure detection and retransmission. Call once the
    /// first handshakes are under way; calling again does nothing. Must run
    /// inside a tokio runtime.
    pub fn start(&self) -> Result<()> {
        self.inner.check_open()?;
        if self.inner.maintenance_started.swap(true, Relaxed) {
            return Ok(());
        }
        let rt = tokio::runtime::Handle::try_current()
            .map_err(|_| SdkError::InvalidConfig("Mesh::start() must run inside a tokio runtime".into()))?;
        let task = rt.spawn(super::maintenance::run(self.inner.clone()));
        self.tasks.0.lock().push(task);
        Ok(())
    }

    /// Tell every peer we are leaving, close all sessions and stop the
    /// node's tasks. A `connect` or `accept` in progress ends with
    /// `Closed`; later calls fail with `Closed`; calling twice is fine.
    pub async fn shutdown(&self) -> Result<()> {
        if self.inner.shutdown.swap(true, Relaxed) {
            return Ok(());
        }
        let sessions: Vec<_> = self.inner.by_index.read().values().cloned().collect();
        let now = self.inner.now();
        for s in sessions {
            if !s.is_closed() && s.confirmed.load(Relaxed) {
                s.send_frame(&self.inner, Frame::Close, now);
            }
            self.inner.retire(&s);
        }
        // Wake what still waits on a handshake: a dial loses its channel
        // and an accept sees the node closed, both ending with `Closed`
        // now rather than at their timeouts.
        self.inner.dialing.lock().clear();
        self.inner.peer_change.notify_waiters();
        let tasks: Vec<_> = self.tasks.0.lock().drain(..).collect();
        for t in tasks {
            t.abort();
            let _ = t.await;
        }
        Ok(())
    }

    /// Liveness of `peer`, or `None` if it never completed a handshake.
    pub fn peer_state(&self, peer: u64) -> Option<PeerState> {
        let s = self.inner.peers.read().get(&peer).cloned()?;
        Some(self.inner.state_of(&s))
    }

    /// Every peer with a session (live or dead).
    pub fn peers(&self) -> Vec<PeerInfo> {
        let sessions: Vec<_> = self.inner.peers.read().values().cloned().collect();
        let mut out: Vec<_> = sessions
            .iter()
            .map(|s| PeerInfo {
                node_id: s.peer_node,
                entity_id: s.peer_entity,
                addr: *s.addr.lock(),
                state: self.inner.state_of(s),
            })
            .collect();
        out.sort_by_key(|p| p.node_id);
        out
    }

    /// Node-wide counters.
    pub fn stats(&self) -> MeshStats {
        let c = &self.inner.counters;
        let (mut pending, mut live) = (0, 0);
        for s in self.inner.by_index.read().values() {
            if !s.confirmed.load(Relaxed) {
                pending += 1;
            } else if !s.is_closed() {
                live += 1;
            }
        }
        MeshStats {
            datagrams_received: c.datagrams_received.load(Relaxed),
            datagrams_sent: c.datagrams_sent.load(Relaxed),
            datagrams_refused: c.datagrams_refused.load(Relaxed),
            tampered: c.tampered.load(Relaxed),
            replayed: c.replayed.load(Relaxed),
            malformed: c.malformed.load(Relaxed),
            handshakes_completed: c.handshakes_completed.load(Relaxed),
            handshakes_failed: c.handshakes_failed.load(Relaxed),
            pending_handshakes: pending,
            sessions: live,
            receive_panics: self.inner.panics.receive.load(Relaxed),
            maintenance_panics: self.inner.panics.maintenance.load(Relaxed),
        }
    }

    /// The last panic a background task survived: which task, and the
    /// panic's message. `None` if there was none.
    pub fn last_panic(&self) -> Option<(super::TaskKind, String)> {
        self.inner.panics.last()
    }

    /// Open (or re-open with a new window) stream `stream_id` to `peer`.
    /// Both sides use the same id; a side that receives before opening
    /// gets the stream created for it. Fails with `NotConnected` when there
    /// is no live session with `peer`.
    pub fn open_stream(&self, peer: u64, stream_id: u64, config: StreamConfig) -> Result<MeshStream> {
        self.inner.check_open()?;
        if stream_id >= super::SYSTEM_STREAM_BASE {
            return Err(SdkError::InvalidArgument(format!(
                "stream ids from {:#x} up are reserved for the mesh's own subprotocols",
                super::SYSTEM_STREAM_BASE
            )));
        }
        let session = self.inner.live_session(peer)?;
        let state = session.stream(stream_id, Some(config));
        if state.reliability != config.reliability {
            return Err(SdkError::InvalidArgument(format!(
                "stream {stream_id} is already open as {:?}",
                state.reliability
            )));
        }
        Ok(MeshStream { session, state })
    }

    /// Close a stream on this side: sends and receives on it end.
    pub fn close_stream(&self, stream: &MeshStream) {
        stream.state.close();
        stream.session.streams.write().remove(&stream.state.id);
    }

    /// Send `payloads` as messages on `stream`, coalesced into as few
    /// datagrams as fit — together with earlier sends' messages while the
    /// stream is busy (see [`send_now`](Self::send_now)). Never waits:
    /// a reliable stream without window room for the whole batch fails at
    /// once with `Backpressure` (nothing is sent); a dead peer or closed
    /// stream gives `NotConnected`; a message over
    /// [`MAX_MESSAGE_SIZE`](super::MAX_MESSAGE_SIZE) gives `MessageTooLarge`.
    pub async fn send_on_stream(&self, stream: &MeshStream, payloads: &[Bytes]) -> Result<()> {
        self.send_now(stream, payloads)
    }

    /// The synchronous body of every send, for the bindings too.
    ///
    /// The frames go into the session's outbox; what leaves at once is
    /// [`cork`](super::cork)'s decision: everything when the path is idle,
    /// and while acks are on their way back only full batches, the rest
    /// riding with later sends or released by the next ack.
    pub(crate) fn send_now(&self, stream: &MeshStream, payloads: &[Bytes]) -> Result<()> {
        self.inner.send_now(stream, payloads)
    }

    /// [`send_on_stream`](Self::send_on_stream), retrying on `Backpressure`
    /// up to `max_retries` times with exponential back-off from 5 ms to
    /// 200 ms. Other errors return at once; the last `Backpressure` is
    /// returned when the retries run out.
    pub async fn send_with_retry(&self, stream: &MeshStream, payloads: &[Bytes], max_retries: u32) -> Result<()> {
        let mut backoff = RETRY_BACKOFF_MIN;
        let mut attempt = 0;
        loop {
            match self.send_now(stream, payloads) {
                Err(SdkError::Backpressure) if attempt < max_retries => {
                    attempt += 1;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(RETRY_BACKOFF_MAX);
                }
                other => return other,
            }
        }
    }

    /// Send, waiting as long as it takes for window room: the wait ends
    /// when an ack frees room (no polling, no back-off sleep), and fails
    /// with `NotConnected` when the stream or its peer goes away. A
    /// fire-and-forget stream refused by a full socket buffer retries
    /// every [`RETRY_BACKOFF_MIN`]. Other errors return at once.
    pub async fn send_blocking(&self, stream: &MeshStream, payloads: &[Bytes]) -> Result<()> {
        loop {
            // The common case, room now, costs no waiter registration.
            let acks = stream.state.window_moves();
            match self.send_now(stream, payloads) {
                Err(SdkError::Backpressure) => {}
                other => return other,
            }
            if stream.state.reliability == super::Reliability::FireAndForget {
                tokio::time::sleep(RETRY_BACKOFF_MIN).await;
                continue;
            }
            let room = stream.state.window_open.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            // An ack that moved the window between the try and the
            // registration would not wake us: try again at once instead.
            if stream.state.window_moves() == acks && stream.is_open() {
                room.await;
            }
        }
    }

    /// Wait until the peer has acknowledged everything sent on `stream` so
    /// far, up to `timeout` (`Timeout` then). Frames still corked in the
    /// outbox count as sent: the next ack or maintenance tick releases
    /// them. A fire-and-forget stream has nothing to wait for. Fails with
    /// `NotConnected` when the stream or its peer goes away first.
    pub async fn wait_acknowledged(&self, stream: &MeshStream, timeout: Duration) -> Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let moved = stream.state.window_open.notified();
            tokio::pin!(moved);
            moved.as_mut().enable();
            if stream.state.unacknowledged() == 0 {
                return Ok(());
            }
            if !stream.is_open() || self.inner.state_of(&stream.session) == PeerState::Dead {
                return Err(SdkError::NotConnected);
            }
            if tokio::time::timeout_at(deadline, moved).await.is_err() {
                return Err(SdkError::Timeout(format!(
                    "{} packets on stream {:#x} still unacknowledged",
                    stream.state.unacknowledged(),
                    stream.id()
                )));
            }
        }
    }

    /// Live counters of stream `stream_id` with `peer`; `None` if it was
    /// closed or never opened (on the peer's current session).
    pub fn stream_stats(&self, peer: u64, stream_id: u64) -> Option<StreamStats> {
        if stream_id >= super::SYSTEM_STREAM_BASE {
            return None;
        }
        let session = self.inner.peers.read().get(&peer).cloned()?;
        let stream = session.streams.read().get(&stream_id).cloned()?;
        Some(stream.stats())
    }

    /// Live counters of every open stream of every peer session, as
    /// `(peer node id, stream id, stats)`, ordered by peer then stream.
    pub fn all_stream_stats(&self) -> Vec<(u64, u64, StreamStats)> {
        let sessions: Vec<(u64, Arc<Session>)> = self.inner.peers.read().iter().map(|(p, s)| (*p, s.clone())).collect();
        let mut out = Vec::new();
        for (peer, session) in sessions {
            let streams = session.streams.read();
            let user = streams.iter().filter(|(id, _)| **id < super::SYSTEM_STREAM_BASE);
            out.extend(user.map(|(id, stream)| (peer, *id, stream.stats())));
        }
        out.sort_unstable_by_key(|(peer, id, _)| (*peer, *id));
        out
    }

    /// The next message received on `stream`, waiting for one. After the
    /// stream or its session closes, queued messages are still returned,
    /// then `NotConnected`.
    pub async fn recv(&self, stream: &MeshStream) -> Result<Bytes> {
        // A message already waiting costs no waiter registration.
        if let Some(m) = self.try_recv(stream)? {
            return Ok(m);
        }
        loop {
            let notified = stream.state.inbox_ready.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(m) = self.try_recv(stream)? {
                return Ok(m);
            }
            if !stream.is_open() {
                return Err(SdkError::NotConnected);
            }
            notified.await;
        }
    }

    /// [`recv`](Self::recv) waiting at most `timeout`; `Timeout` if nothing came.
    pub async fn recv_timeout(&self, stream: &MeshStream, timeout: Duration) -> Result<Bytes> {
        tokio::time::timeout(timeout, self.recv(stream))
            .await
            .map_err(|_| SdkError::Timeout(format!("no message on stream {:#x} within {timeout:?}", stream.id())))?
    }

    /// Return `message`, taken from `stream` by a receive whose caller then
    /// could not have it (a cancelled wait, a buffer too small), to the
    /// front of the stream's inbox: the next receive returns it first, so
    /// nothing is lost or reordered. Also after the stream closed (queued
    /// messages are still received then). Only a message just received
    /// from this stream belongs here, and the caller must keep other
    /// receives on the stream from overtaking it meanwhile.
    pub fn put_back(&self, stream: &MeshStream, message: Bytes) {
        stream.state.put_back(message);
    }

    /// A message already received on `stream`, if any (never waits).
    pub fn try_recv(&self, stream: &MeshStream) -> Result<Option<Bytes>> {
        let Some((m, ack_now)) = stream.state.pop_and_ack_urgent() else { return Ok(None) };
        if ack_now && !stream.session.is_closed() {
            // Flow control released held packets, or the sender is owed
            // an ack the receive task has not sent yet: tell it now.
            self.inner.send_ack_if_due(&stream.session, &stream.state);
        }
        Ok(Some(m))
    }

    /// The inbound messages of `stream` as an async stream; it ends when
    /// the stream or its session closes (after the queued messages).
    pub fn messages(&self, stream: &MeshStream) -> impl futures::Stream<Item = Bytes> + Send + 'static + use<> {
        let (mesh, stream) = (self.clone(), stream.clone());
        futures::stream::unfold((mesh, stream), |(mesh, stream)| async move {
            let m = mesh.recv(&stream).await.ok()?;
            Some((m, (mesh, stream)))
        })
    }

    /// Counters of the lossy test link, if the builder installed one:
    /// (dropped, duplicated, reordered).
    pub fn link_counts(&self) -> Option<(u64, u64, u64)> {
        self.inner.socket.shim_counts()
    }
}
