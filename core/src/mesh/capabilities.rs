//! Capability announcements over the mesh.
//!
//! - **Carrier**: whole messages on the reserved reliable stream
//!   [`CAPABILITY_STREAM`](super::CAPABILITY_STREAM). The receive task
//!   only queues them (bounded; overflow is counted as
//!   `dropped_inbound`); the capability task decodes, verifies, indexes
//!   and forwards, so a slow signature check never stalls the socket and
//!   malformed bytes cost one counter, never the loop. It takes up to
//!   [`DRAIN`] queued messages per wake-up and checks their signatures as
//!   one ed25519 batch ([`CapabilityIndex::ingest_batch`]): a node joining
//!   a large mesh is sent every stored announcement at once.
//! - **Origin**: [`Mesh::announce_capabilities`] validates the set, puts
//!   it in the local index at once and broadcasts a freshly signed
//!   announcement (version = max(previous + 1, Unix micros)) to every
//!   live peer — at once after a quiet `min_announce_interval`, else once
//!   at the end of the interval with the latest set. It re-announces
//!   every half TTL so that only a silent node expires.
//! - **Late joiners**: when a session is confirmed, the new peer gets
//!   this node's latest announcement and every stored announcement of
//!   other nodes (signatures intact; hop count + 1).
//! - **Forwarding**: an accepted announcement received with hop count
//!   `h` goes to every live peer but its sender and its origin with
//!   `h + 1`, while `h + 1 < MAX_CAPABILITY_HOPS`; duplicates stop here.
//! - **Expiry**: the index is swept every `capability_gc_interval`.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::{mpsc, Notify};

use super::config::MeshConfig;
use super::node::{Mesh, MeshInner, MeshStream};
use super::survive::TaskKind;
use super::CAPABILITY_STREAM;
use crate::capabilities::{
    validate_capabilities, CapabilityAnnouncement, CapabilityError, CapabilityFilter, CapabilityIndex, CapabilitySet,
    CapabilityStats, IndexedNode, IngestOutcome, ScopeFilter, MAX_CAPABILITY_HOPS,
};
use crate::error::{Result, SdkError};
use crate::subnets::SubnetId;

/// Inbound messages and events the capability task may have queued.
const QUEUE: usize = 4096;
/// Queued events taken per wake-up; inbound messages among them are
/// verified as one batch.
const DRAIN: usize = 1024;
/// How long a send refused for back-pressure is retried.
const SEND_RETRY_FOR: Duration = Duration::from_secs(10);

enum Event {
    Inbound(u64, Bytes),
    PeerUp(u64),
}

#[derive(Default)]
struct Own {
    caps: Option<CapabilitySet>,
    /// The latest signed announcement; `stale` when `caps` changed since.
    signed: Option<Arc<CapabilityAnnouncement>>,
    stale: bool,
    /// Peers have not been sent the latest set yet.
    pending: bool,
    last_broadcast: Option<u64>,
    version: u64,
}

/// The capability side of a mesh node (in `MeshInner`).
pub(crate) struct CapabilityState {
    pub index: CapabilityIndex,
    tx: mpsc::Sender<Event>,
    rx: Mutex<Option<mpsc::Receiver<Event>>>,
    own: Mutex<Own>,
    /// Wakes the task when a coalesced broadcast is scheduled.
    wake: Notify,
    dropped_inbound: AtomicU64,
    subnet: SubnetId,
    min_interval: Duration,
    gc_interval: Duration,
    ttl: Duration,
}

impl CapabilityState {
    pub fn new(config: &MeshConfig) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        Self {
            index: CapabilityIndex::new(config.subnet_policy.clone()),
            tx,
            rx: Mutex::new(Some(rx)),
            own: Mutex::new(Own::default()),
            wake: Notify::new(),
            dropped_inbound: AtomicU64::new(0),
            subnet: config.subnet,
            min_interval: config.min_announce_interval,
            gc_interval: config.capability_gc_interval,
            ttl: config.capability_ttl,
        }
    }

    /// A session was confirmed (called from the receive task).
    pub fn peer_up(&self, peer: u64) {
        if self.tx.try_send(Event::PeerUp(peer)).is_err() {
            self.dropped_inbound.fetch_add(1, Relaxed);
        }
    }

    fn deliver(&self, from: u64, message: Bytes) {
        if self.tx.try_send(Event::Inbound(from, message)).is_err() {
            self.dropped_inbound.fetch_add(1, Relaxed);
        }
    }
}

impl MeshInner {
    /// A whole message on a reserved stream (called from the receive task).
    pub(crate) fn on_system_message(&self, from: u64, stream: u64, message: Bytes) {
        if stream == CAPABILITY_STREAM {
            self.caps.deliver(from, message);
        } else {
            self.counters.malformed.fetch_add(1, Relaxed);
        }
    }

    /// Send one capability message to `peer` on the capability stream.
    /// A window full of unacknowledged announcements is retried in the
    /// background for a while; a dead peer is skipped.
    fn send_capability(self: &Arc<Self>, peer: u64, message: Bytes) -> bool {
        let Ok(session) = self.live_session(peer) else { return false };
        let state = session.stream(CAPABILITY_STREAM, None);
        let stream = MeshStream { session, state };
        match self.send_now(&stream, std::slice::from_ref(&message)) {
            Ok(()) => true,
            Err(SdkError::Backpressure) => {
                let inner = self.clone();
                tokio::spawn(async move {
                    let deadline = tokio::time::Instant::now() + SEND_RETRY_FOR;
                    let mut backoff = super::RETRY_BACKOFF_MIN;
                    while tokio::time::Instant::now() < deadline {
                        tokio::time::sleep(backoff).await;
                        match inner.send_now(&stream, std::slice::from_ref(&message)) {
                            Err(SdkError::Backpressure) => backoff = (backoff * 2).min(super::RETRY_BACKOFF_MAX),
                            _ => return,
                        }
                    }
                });
                true
            }
            Err(_) => false,
        }
    }

    fn live_peers(&self) -> Vec<u64> {
        let peers: Vec<u64> = self.peers.read().keys().copied().collect();
        peers.into_iter().filter(|p| self.live_session(*p).is_ok()).collect()
    }

    /// The latest set, signed (a new version when it changed or `fresh`).
    fn current_signed(&self, own: &mut Own, fresh: bool) -> Option<Arc<CapabilityAnnouncement>> {
        let caps = own.caps.clone()?;
        if own.signed.is_none() || own.stale || fresh {
            let version = (own.version + 1).max(self.clock.now_nanos() / 1_000);
            let signed = CapabilityAnnouncement::sign(&self.identity, caps, version, self.caps.ttl).ok()?;
            own.version = version;
            own.signed = Some(Arc::new(signed));
            own.stale = false;
        }
        own.signed.clone()
    }

    /// Send the latest set to every live peer now.
    fn broadcast(self: &Arc<Self>, fresh: bool) {
        let signed = {
            let mut own = self.caps.own.lock();
            let Some(signed) = self.current_signed(&mut own, fresh) else { return };
            own.pending = false;
            own.last_broadcast = Some(self.now());
            signed
        };
        self.caps.index.counters.broadcasts.fetch_add(1, Relaxed);
        let message = Bytes::from(signed.to_bytes());
        for peer in self.live_peers() {
            self.send_capability(peer, message.clone());
        }
    }

    /// Messages received in a row: decoded, verified together (one batch
    /// equation for the burst a large mesh sends a joining node), indexed
    /// and forwarded in arrival order.
    fn on_inbound(self: &Arc<Self>, messages: &[(u64, Bytes)]) {
        if messages.is_empty() {
            return;
        }
        let index = &self.caps.index;
        let me = self.identity.node_id();
        let mut senders = Vec::with_capacity(messages.len());
        let mut decoded = Vec::with_capacity(messages.len());
        for (from, bytes) in messages {
            match index.decode(bytes) {
                // Our own announcement coming back around a cycle.
                Ok(a) if a.origin() == me => {}
                Ok(a) => {
                    senders.push(*from);
                    decoded.push(a);
                }
                Err(_) => {
                    // Counted as malformed by the index.
                    let _ = index.ingest_bytes(bytes, self.now());
                }
            }
        }
        let verdicts = index.ingest_batch(&decoded, self.now());
        let peers = self.live_peers();
        for ((announcement, from), verdict) in decoded.into_iter().zip(senders).zip(verdicts) {
            let next = announcement.hop_count.saturating_add(1);
            if verdict != Ok(IngestOutcome::Accepted) || next >= MAX_CAPABILITY_HOPS {
                continue;
            }
            let origin = announcement.origin();
            let message = Bytes::from(announcement.with_hop_count(next).to_bytes());
            for &peer in &peers {
                if peer != from && peer != origin && self.send_capability(peer, message.clone()) {
                    index.counters.forwarded.fetch_add(1, Relaxed);
                }
            }
        }
    }

    fn on_peer_up(self: &Arc<Self>, peer: u64) {
        let own = {
            let mut own = self.caps.own.lock();
            self.current_signed(&mut own, false)
        };
        if let Some(own) = own {
            self.send_capability(peer, Bytes::from(own.to_bytes()));
        }
        for a in self.caps.index.relayable(peer, self.now()) {
            let next = a.hop_count.saturating_add(1);
            if next < MAX_CAPABILITY_HOPS {
                let message = Bytes::from(a.as_ref().clone().with_hop_count(next).to_bytes());
                if self.send_capability(peer, message) {
                    self.caps.index.counters.forwarded.fetch_add(1, Relaxed);
                }
            }
        }
    }

    /// Timers: a coalesced broadcast due, the half-TTL refresh. Returns
    /// when to look again.
    fn capability_timers(self: &Arc<Self>, now: u64) -> u64 {
        let (due, refresh, next) = {
            let own = self.caps.own.lock();
            let interval = self.caps.min_interval.as_nanos() as u64;
            let half_ttl = (self.caps.ttl.as_nanos() as u64 / 2).max(1);
            match (own.caps.is_some(), own.last_broadcast) {
                (true, Some(last)) => {
                    let flush_at = last.saturating_add(interval);
                    let refresh_at = last.saturating_add(half_ttl);
                    let due = own.pending && now >= flush_at;
                    let refresh = now >= refresh_at;
                    let next = if own.pending && !due { flush_at.min(refresh_at) } else { refresh_at };
                    (due, refresh, next)
                }
                _ => (false, false, u64::MAX),
            }
        };
        if due || refresh {
            self.broadcast(refresh);
            return now.saturating_add(1);
        }
        next
    }
}

/// Handle `events` in order, each run of inbound messages as one batch.
fn handle_events(inner: &Arc<MeshInner>, events: &mut Vec<Event>, inbound: &mut Vec<(u64, Bytes)>) {
    for event in events.drain(..) {
        match event {
            Event::Inbound(from, bytes) => inbound.push((from, bytes)),
            Event::PeerUp(peer) => {
                inner.on_inbound(inbound);
                inbound.clear();
                inner.on_peer_up(peer);
            }
        }
    }
    inner.on_inbound(inbound);
}

/// The capability task: inbound messages, peer arrivals, coalesced
/// broadcasts, refreshes and GC.
pub(crate) async fn run(inner: Arc<MeshInner>) {
    let Some(mut rx) = inner.caps.rx.lock().take() else { return };
    let gc_every = inner.caps.gc_interval;
    let mut next_gc = tokio::time::Instant::now() + gc_every;
    let mut events = Vec::with_capacity(DRAIN);
    let mut inbound = Vec::with_capacity(DRAIN);
    loop {
        if inner.shutdown.load(Relaxed) {
            return;
        }
        let now = inner.now();
        let next_timer = inner.panics.survive(TaskKind::Maintenance, || inner.capability_timers(now)).unwrap_or(u64::MAX);
        let timer_in = Duration::from_nanos(next_timer.saturating_sub(now).min(3_600_000_000_000));
        let wake = tokio::time::Instant::now() + timer_in;
        let woken = inner.caps.wake.notified();
        tokio::select! {
            received = rx.recv_many(&mut events, DRAIN) => {
                if received == 0 {
                    return;
                }
                inner.panics.survive(TaskKind::Maintenance, || handle_events(&inner, &mut events, &mut inbound));
                events.clear();
                inbound.clear();
            }
            _ = tokio::time::sleep_until(wake.min(next_gc)) => {}
            _ = woken => {}
        }
        if tokio::time::Instant::now() >= next_gc {
            let now = inner.now();
            inner.panics.survive(TaskKind::Maintenance, || inner.caps.index.gc(now));
            next_gc = tokio::time::Instant::now() + gc_every;
        }
    }
}

impl Mesh {
    /// Announce this node's capabilities: validated (schema errors give
    /// `invalid_capabilities`, an oversize set `announcement_too_large`),
    /// indexed locally at once, and broadcast signed to every directly
    /// connected peer — now, or coalesced with later calls until
    /// `min_announce_interval` has passed since the last broadcast. Peers
    /// forward it up to `MAX_CAPABILITY_HOPS`; peers that connect later
    /// receive it on connect.
    pub async fn announce_capabilities(&self, caps: CapabilitySet) -> Result<()> {
        self.announce_capabilities_now(caps)
    }

    /// The synchronous body of [`announce_capabilities`](Self::announce_capabilities)
    /// (it never waits), for the bindings.
    pub fn announce_capabilities_now(&self, caps: CapabilitySet) -> Result<()> {
        let inner = &self.inner;
        inner.check_open()?;
        let report = validate_capabilities(&caps);
        if !report.is_valid() {
            return Err(CapabilityError::Invalid(report).into());
        }
        let size = CapabilityAnnouncement::encoded_len(&caps);
        if size > crate::capabilities::MAX_ANNOUNCEMENT_SIZE {
            return Err(CapabilityError::TooLarge { size, max: crate::capabilities::MAX_ANNOUNCEMENT_SIZE }.into());
        }
        inner.caps.index.set_local(self.node_id(), *self.entity_id(), caps.clone(), inner.caps.subnet);
        let now = inner.now();
        let broadcast_now = {
            let mut own = inner.caps.own.lock();
            own.caps = Some(caps);
            own.stale = true;
            own.pending = true;
            own.last_broadcast.is_none_or(|last| now.saturating_sub(last) >= inner.caps.min_interval.as_nanos() as u64)
        };
        if broadcast_now {
            inner.broadcast(false);
        }
        // The task re-plans its timers: a coalesced broadcast, the refresh.
        inner.caps.wake.notify_one();
        Ok(())
    }

    /// Nodes whose capabilities match `filter`, this node included when it
    /// matches; sorted by node id. No scope filtering (see
    /// [`find_nodes_scoped`](Self::find_nodes_scoped)).
    pub fn find_nodes(&self, filter: &CapabilityFilter) -> Vec<u64> {
        self.find_all(filter, &ScopeFilter::Any, true)
    }

    /// Nodes matching `filter` that `scope` admits (see
    /// [`ScopeFilter`]); sorted by node id.
    pub fn find_nodes_scoped(&self, filter: &CapabilityFilter, scope: &ScopeFilter<'_>) -> Vec<u64> {
        self.find_all(filter, scope, false)
    }

    fn find_all(&self, filter: &CapabilityFilter, scope: &ScopeFilter<'_>, unscoped: bool) -> Vec<u64> {
        let caps = &self.inner.caps;
        let now = self.inner.now();
        let scope = if unscoped { None } else { Some(scope) };
        caps.index.find_with(filter, scope, caps.subnet, now)
    }

    /// The best node matching `filter` under `scope`: most GPU memory,
    /// then memory, then CPU threads, then fewest hops, then lowest id.
    pub fn find_best_node_scoped(&self, filter: &CapabilityFilter, scope: &ScopeFilter<'_>) -> Option<u64> {
        let caps = &self.inner.caps;
        caps.index.find_best(filter, scope, caps.subnet, self.inner.now())
    }

    /// What this node knows of `node_id`'s capabilities (itself included).
    pub fn capabilities_of(&self, node_id: u64) -> Option<IndexedNode> {
        self.inner.caps.index.get(node_id)
    }

    /// The capabilities this node announces now (empty before its first
    /// announcement).
    pub fn own_capabilities(&self) -> CapabilitySet {
        self.capabilities_of(self.node_id()).map(|n| n.capabilities).unwrap_or_default()
    }

    /// The index of known capabilities.
    pub fn capability_index(&self) -> &CapabilityIndex {
        &self.inner.caps.index
    }

    /// Capability counters: announcements received, accepted, duplicate,
    /// rejected by kind, evicted, broadcast and forwarded.
    pub fn capability_stats(&self) -> CapabilityStats {
        self.inner.caps.index.stats()
    }

    /// Inbound capability messages and peer arrivals dropped because the
    /// capability task's queue was full.
    pub fn capability_queue_drops(&self) -> u64 {
        self.inner.caps.dropped_inbound.load(Relaxed)
    }

    /// Send raw bytes on the capability stream to `peer`, as a forwarder
    /// would. Not for applications: it exists so tests in every face can
    /// put forged, tampered, replayed or malformed announcements on the
    /// wire and watch the receiver refuse and count them.
    #[doc(hidden)]
    pub fn send_capability_bytes(&self, peer: u64, bytes: Vec<u8>) -> Result<()> {
        self.inner.check_open()?;
        if bytes.len() > super::MAX_MESSAGE_SIZE {
            return Err(SdkError::MessageTooLarge { size: bytes.len(), max: super::MAX_MESSAGE_SIZE });
        }
        if self.inner.send_capability(peer, Bytes::from(bytes)) {
            Ok(())
        } else {
            Err(SdkError::NotConnected)
        }
    }

    /// This node's configured subnet.
    pub fn subnet(&self) -> SubnetId {
        self.inner.caps.subnet
    }

    /// The subnet of `node_id` as this node derives it: its own configured
    /// one for itself, the policy applied to the announced tags for a peer
    /// (`None` when nothing is known of it).
    pub fn peer_subnet(&self, node_id: u64) -> Option<SubnetId> {
        if node_id == self.node_id() {
            return Some(self.inner.caps.subnet);
        }
        self.inner.caps.index.get(node_id).map(|n| n.subnet)
    }
}
