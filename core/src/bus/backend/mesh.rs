//! The mesh backend: a node's bus log that also holds its peers' events.
//!
//! Events emitted on this node are stored locally *and* forwarded to every
//! live peer of the [`Mesh`] on one reliable stream ([`BUS_STREAM`]);
//! events arriving from peers are stored in the same log, so `poll` and
//! `subscribe` see local and remote events alike, in arrival order per
//! shard. A remote event keeps its shard (modulo this node's shard count),
//! its payload and its original timestamp.
//!
//! Because remote events interleave with local ones, this backend numbers
//! each shard's log itself: the sequence in a polled [`EventId`](crate::EventId)
//! is the event's position in this node's log, not the `Receipt` sequence
//! the emitting node saw.
//!
//! Forwarding uses the stream's back-pressure: a full window waits for
//! the peer's acks ([`Mesh::send_blocking`]), so a slow peer slows the
//! drain (and, under `Backpressure::Block`, the producer) instead of
//! losing events. A peer that goes away is skipped and its events are
//! counted in [`PeerTraffic::forward_failures`] (`Stats::forward_failures`).
//! The local copy is stored regardless.
//!
//! Closing (at `Net::shutdown`, after the final drain) waits, up to
//! [`CLOSE_GRACE`], until the peers have acknowledged every forwarded
//! event, so a node that emits and shuts down does not strand its last
//! events in flight. Events still unacknowledged then are counted as
//! forward failures too, and `shutdown` returns an error naming them
//! (`Timeout` if a peer was slow, `NotConnected` if it was gone): the
//! caller learns that not every peer has every event. A backend made with
//! [`MeshBackend::owning`] shuts its mesh down either way.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::{BufMut, Bytes, BytesMut};
use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::{Backend, MemoryBackend, PeerTraffic, ReadOutcome};
use crate::bus::event::{Event, StoredEvent};
use crate::error::{Result, SdkError};
use crate::mesh::{Mesh, MeshStream, PeerState, StreamConfig};

/// The stream id bus events travel on ("NETBUS" in ASCII, shifted).
pub const BUS_STREAM: u64 = 0x4E45_5442_5553_0000;
/// Messages per forwarded batch (well under the stream window).
const FORWARD_CHUNK: usize = 256;
/// How often new peers (or restored sessions) are looked for.
const WATCH_EVERY: Duration = Duration::from_millis(20);
/// How long closing waits for peers to acknowledge forwarded events.
pub const CLOSE_GRACE: Duration = Duration::from_secs(5);

fn stream_config() -> StreamConfig {
    StreamConfig::new().with_window_bytes(1024).with_receive_capacity(65_536)
}

/// Wire form of one forwarded event: shard u16 | timestamp u64 | payload.
fn encode(shard: u16, e: &StoredEvent) -> Bytes {
    let mut b = BytesMut::with_capacity(10 + e.raw.len());
    b.put_u16_le(shard);
    b.put_u64_le(e.timestamp);
    b.extend_from_slice(&e.raw);
    b.freeze()
}

fn decode(m: &Bytes) -> Option<(u16, StoredEvent)> {
    if m.len() < 10 {
        return None;
    }
    let shard = u16::from_le_bytes([m[0], m[1]]);
    let timestamp = u64::from_le_bytes(m[2..10].try_into().ok()?);
    Some((shard, StoredEvent { sequence: 0, timestamp, raw: m.slice(10..) }))
}

struct Shared {
    mesh: Mesh,
    log: MemoryBackend,
    /// Next sequence per shard of this node's log; held while appending so
    /// sequences reach the log in order.
    next: Box<[tokio::sync::Mutex<u64>]>,
    outbound: Mutex<HashMap<u64, MeshStream>>,
    forward_failures: AtomicU64,
    remote_events: AtomicU64,
}

impl Shared {
    async fn store(&self, shard: u16, events: &mut Vec<StoredEvent>) -> Result<()> {
        let mut next = self.next[shard as usize].lock().await;
        for e in events.iter_mut() {
            e.sequence = *next;
            *next += 1;
        }
        self.log.append(shard, events).await
    }

    fn outbound(&self, peer: u64) -> Option<MeshStream> {
        let mut map = self.outbound.lock();
        if let Some(s) = map.get(&peer).filter(|s| s.is_open()) {
            return Some(s.clone());
        }
        let s = self.mesh.open_stream(peer, BUS_STREAM, stream_config()).ok()?;
        map.insert(peer, s.clone());
        Some(s)
    }
}

/// A [`Backend`] over a [`Mesh`]; install it with
/// [`NetBuilder::mesh`](crate::NetBuilder::mesh).
pub struct MeshBackend {
    shared: Arc<Shared>,
    watcher: Mutex<Option<JoinHandle<()>>>,
    /// Shut the mesh down on close (it was made for this backend).
    owns_mesh: bool,
}

impl MeshBackend {
    /// A backend for `shards` shards keeping `retention` events each,
    /// exchanging events with the peers of `mesh` (which must be running:
    /// handshakes done or under way, [`Mesh::start`] called). Spawns its
    /// receive side on the current tokio runtime.
    pub fn new(mesh: Mesh, shards: u16, retention: usize) -> Self {
        Self::with_ownership(mesh, shards, retention, false)
    }

    /// [`new`](Self::new) for a mesh that belongs to this backend: closing
    /// the backend shuts the mesh down.
    pub fn owning(mesh: Mesh, shards: u16, retention: usize) -> Self {
        Self::with_ownership(mesh, shards, retention, true)
    }

    fn with_ownership(mesh: Mesh, shards: u16, retention: usize, owns_mesh: bool) -> Self {
        let shared = Arc::new(Shared {
            mesh,
            log: MemoryBackend::new(shards, retention),
            next: (0..shards).map(|_| tokio::sync::Mutex::new(0)).collect(),
            outbound: Mutex::new(HashMap::new()),
            forward_failures: AtomicU64::new(0),
            remote_events: AtomicU64::new(0),
        });
        let watcher = tokio::spawn(watch(Arc::downgrade(&shared)));
        Self { shared, watcher: Mutex::new(Some(watcher)), owns_mesh }
    }

}

/// A reader task, aborted when dropped: the watcher's map of readers goes
/// away with the watcher (also when it is aborted mid-sleep), and a reader
/// left running would hold the mesh open forever.
struct Reader(JoinHandle<()>);

impl Drop for Reader {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Keep one reader task per live peer session.
async fn watch(shared: std::sync::Weak<Shared>) {
    let mut readers: HashMap<u64, (MeshStream, Reader)> = HashMap::new();
    loop {
        {
            let Some(s) = shared.upgrade() else { break };
            readers.retain(|_, (stream, task)| stream.is_open() && !task.0.is_finished());
            for peer in s.mesh.peers() {
                if peer.state == PeerState::Dead || readers.contains_key(&peer.node_id) {
                    continue;
                }
                if let Ok(stream) = s.mesh.open_stream(peer.node_id, BUS_STREAM, stream_config()) {
                    let task = tokio::spawn(read(Arc::downgrade(&s), stream.clone()));
                    readers.insert(peer.node_id, (stream, Reader(task)));
                }
            }
        }
        tokio::time::sleep(WATCH_EVERY).await;
    }
}

/// Store what one peer sends, a batch at a time, until its session ends.
async fn read(shared: std::sync::Weak<Shared>, stream: MeshStream) {
    let Some(mesh) = shared.upgrade().map(|s| s.mesh.clone()) else { return };
    let mut by_shard: HashMap<u16, Vec<StoredEvent>> = HashMap::new();
    while let Ok(first) = mesh.recv(&stream).await {
        let Some(s) = shared.upgrade() else { return };
        let shards = s.next.len() as u16;
        let mut m = Some(first);
        let mut n = 0;
        while let Some(msg) = m {
            if let Some((shard, e)) = decode(&msg) {
                by_shard.entry(shard % shards).or_default().push(e);
                n += 1;
            }
            m = if n < 4096 { mesh.try_recv(&stream).ok().flatten() } else { None };
        }
        for (shard, events) in by_shard.iter_mut() {
            let count = events.len() as u64;
            if s.store(*shard, events).await.is_ok() {
                s.remote_events.fetch_add(count, Relaxed);
            }
            events.clear();
        }
    }
}

#[async_trait]
impl Backend for MeshBackend {
    async fn append(&self, shard: u16, events: &mut Vec<StoredEvent>) -> Result<()> {
        let s = &self.shared;
        let peers: Vec<u64> =
            s.mesh.peers().into_iter().filter(|p| p.state != PeerState::Dead).map(|p| p.node_id).collect();
        if !peers.is_empty() {
            let wire: Vec<Bytes> = events.iter().map(|e| encode(shard, e)).collect();
            for peer in peers {
                let Some(stream) = s.outbound(peer) else {
                    s.forward_failures.fetch_add(wire.len() as u64, Relaxed);
                    continue;
                };
                for (i, chunk) in wire.chunks(FORWARD_CHUNK).enumerate() {
                    if s.mesh.send_blocking(&stream, chunk).await.is_err() {
                        let unsent = wire.len() - i * FORWARD_CHUNK;
                        s.forward_failures.fetch_add(unsent as u64, Relaxed);
                        break;
                    }
                }
            }
        }
        s.store(shard, events).await
    }

    async fn read(&self, shard: u16, from_sequence: u64, limit: usize, out: &mut Vec<Event>) -> Result<ReadOutcome> {
        self.shared.log.read(shard, from_sequence, limit, out).await
    }

    fn tail(&self, shard: u16) -> u64 {
        self.shared.log.tail(shard)
    }

    fn changed(&self) -> &Notify {
        self.shared.log.changed()
    }

    fn peer_traffic(&self) -> PeerTraffic {
        PeerTraffic {
            forward_failures: self.shared.forward_failures.load(Relaxed),
            remote_events: self.shared.remote_events.load(Relaxed),
        }
    }

    async fn close(&self) -> Result<()> {
        let s = &self.shared;
        let outbound: Vec<MeshStream> = s.outbound.lock().values().cloned().collect();
        let (mut stranded, mut slow_peers, mut gone_peers) = (0u64, 0usize, 0usize);
        for stream in outbound {
            // A peer that is gone or too slow is reported, not waited on forever.
            match s.mesh.wait_acknowledged(&stream, CLOSE_GRACE).await {
                Ok(()) => {}
                Err(e) => {
                    stranded += stream.state.unacknowledged();
                    match e {
                        SdkError::Timeout(_) => slow_peers += 1,
                        _ => gone_peers += 1,
                    }
                }
            }
        }
        s.forward_failures.fetch_add(stranded, Relaxed);
        if let Some(w) = self.watcher.lock().take() {
            w.abort();
        }
        if self.owns_mesh {
            s.mesh.shutdown().await?;
        }
        match (slow_peers, gone_peers) {
            (0, 0) => Ok(()),
            (0, _) => Err(SdkError::NotConnected),
            _ => Err(SdkError::Timeout(format!(
                "{stranded} forwarded events were still unacknowledged after {CLOSE_GRACE:?}: \
                 {slow_peers} peer(s) too slow, {gone_peers} gone (see Stats::forward_failures)"
            ))),
        }
    }
}

impl Drop for MeshBackend {
    fn drop(&mut self) {
        if let Some(w) = self.watcher.lock().take() {
            w.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_round_trips_and_refuses_short_input() {
        let e = StoredEvent { sequence: 9, timestamp: 77, raw: Bytes::from_static(b"{\"a\":1}") };
        let (shard, back) = decode(&encode(3, &e)).unwrap();
        assert_eq!((shard, back.timestamp, back.raw), (3, 77, e.raw));
        assert!(decode(&Bytes::from_static(b"short")).is_none());
    }
}
