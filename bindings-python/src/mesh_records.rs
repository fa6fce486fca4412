//! What the mesh reports: `MeshStats` (node-wide counters), `StreamStats`
//! (one stream's counters) and `PeerInfo` (a peer with a session). Plain,
//! immutable snapshots of the core's structs; counters are Python ints.

use net_sdk::mesh::{MeshStats as CoreMeshStats, PeerInfo as CorePeerInfo, StreamStats as CoreStreamStats};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Node-wide counters; from `MeshNode.stats()`.
#[pyclass(frozen, get_all, module = "net_sdk._native")]
pub struct MeshStats {
    /// Datagrams received (any kind).
    datagrams_received: u64,
    /// Datagrams handed to the socket.
    datagrams_sent: u64,
    /// Packets that failed authentication and were dropped.
    tampered: u64,
    /// Authentic packets refused as replays (duplicate or too old).
    replayed: u64,
    /// Datagrams that were not packets, or for no known session.
    malformed: u64,
    /// Handshakes that produced a confirmed session.
    handshakes_completed: u64,
    /// Handshakes refused or failed (wrong key, identity, PSK).
    handshakes_failed: u64,
    /// Sessions whose peer has not confirmed yet.
    pending_handshakes: u64,
    /// Live sessions.
    sessions: u64,
    /// Panics the receive task caught and survived.
    receive_panics: u64,
    /// Panics the timer task caught and survived.
    maintenance_panics: u64,
}

impl From<CoreMeshStats> for MeshStats {
    fn from(s: CoreMeshStats) -> Self {
        Self {
            datagrams_received: s.datagrams_received,
            datagrams_sent: s.datagrams_sent,
            tampered: s.tampered,
            replayed: s.replayed,
            malformed: s.malformed,
            handshakes_completed: s.handshakes_completed,
            handshakes_failed: s.handshakes_failed,
            pending_handshakes: s.pending_handshakes,
            sessions: s.sessions,
            receive_panics: s.receive_panics,
            maintenance_panics: s.maintenance_panics,
        }
    }
}

#[pymethods]
impl MeshStats {
    fn __repr__(&self) -> String {
        format!(
            "MeshStats(datagrams_received={}, datagrams_sent={}, tampered={}, replayed={}, malformed={}, \
             handshakes_completed={}, handshakes_failed={}, pending_handshakes={}, sessions={}, \
             receive_panics={}, maintenance_panics={})",
            self.datagrams_received,
            self.datagrams_sent,
            self.tampered,
            self.replayed,
            self.malformed,
            self.handshakes_completed,
            self.handshakes_failed,
            self.pending_handshakes,
            self.sessions,
            self.receive_panics,
            self.maintenance_panics
        )
    }
}

/// Live counters of one stream; from `MeshNode.stream_stats()`.
#[pyclass(frozen, get_all, module = "net_sdk._native")]
pub struct StreamStats {
    /// Next sequence number this side sends.
    tx_seq: u64,
    /// Next sequence number this side expects.
    rx_seq: u64,
    /// Packets sent and not yet acknowledged (reliable streams).
    in_flight: u64,
    /// The in-flight window (packets).
    window: u32,
    /// Sends refused with backpressure, cumulative.
    backpressure_events: u64,
    /// Packets sent again after a timeout.
    retransmits: u64,
    /// Messages accepted for sending.
    messages_sent: u64,
    /// Messages delivered to this side's inbox.
    messages_received: u64,
    /// Messages waiting to be received.
    inbox: u64,
    /// Smoothed round-trip time, microseconds (0 before a sample).
    srtt_us: u64,
}

impl From<CoreStreamStats> for StreamStats {
    fn from(s: CoreStreamStats) -> Self {
        Self {
            tx_seq: s.tx_seq,
            rx_seq: s.rx_seq,
            in_flight: s.in_flight,
            window: s.window,
            backpressure_events: s.backpressure_events,
            retransmits: s.retransmits,
            messages_sent: s.messages_sent,
            messages_received: s.messages_received,
            inbox: s.inbox,
            srtt_us: s.srtt_us,
        }
    }
}

#[pymethods]
impl StreamStats {
    fn __repr__(&self) -> String {
        format!(
            "StreamStats(tx_seq={}, rx_seq={}, in_flight={}, window={}, backpressure_events={}, retransmits={}, \
             messages_sent={}, messages_received={}, inbox={}, srtt_us={})",
            self.tx_seq,
            self.rx_seq,
            self.in_flight,
            self.window,
            self.backpressure_events,
            self.retransmits,
            self.messages_sent,
            self.messages_received,
            self.inbox,
            self.srtt_us
        )
    }
}

/// A peer with a session (live or dead); from `MeshNode.peers()`.
#[pyclass(frozen, module = "net_sdk._native")]
pub struct PeerInfo {
    info: CorePeerInfo,
}

impl From<CorePeerInfo> for PeerInfo {
    fn from(info: CorePeerInfo) -> Self {
        Self { info }
    }
}

#[pymethods]
impl PeerInfo {
    /// The peer's node id.
    #[getter]
    fn node_id(&self) -> u64 {
        self.info.node_id
    }

    /// Its authenticated identity (32 bytes, the ed25519 public key).
    #[getter]
    fn entity_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.info.entity_id.as_bytes())
    }

    /// Where its packets come from, `"ip:port"`.
    #[getter]
    fn addr(&self) -> String {
        self.info.addr.to_string()
    }

    /// `"alive"`, `"suspect"` or `"dead"`.
    #[getter]
    fn state(&self) -> &'static str {
        self.info.state.as_str()
    }

    fn __repr__(&self) -> String {
        format!("PeerInfo(node_id={:#x}, addr='{}', state='{}')", self.info.node_id, self.info.addr, self.info.state.as_str())
    }
}
