//! Mesh counters, peers and stream counters as plain JS objects. Every
//! counter is a bigint (the seed's promise for stream stats; the same for
//! the node-wide ones so no counter can lose precision).

use napi::bindgen_prelude::{BigInt, Buffer};
use napi_derive::napi;
use net_sdk::mesh::{MeshStats, PeerInfo, StreamStats};

/// Node-wide counters.
#[napi(object)]
pub struct JsMeshStats {
    /// Datagrams received (any kind).
    pub datagrams_received: BigInt,
    /// Datagrams handed to the socket.
    pub datagrams_sent: BigInt,
    /// Packets that failed authentication and were dropped.
    pub tampered: BigInt,
    /// Authentic packets refused as replays.
    pub replayed: BigInt,
    /// Datagrams that were not packets, or for no known session.
    pub malformed: BigInt,
    /// Handshakes that produced a confirmed session.
    pub handshakes_completed: BigInt,
    /// Handshakes refused or failed (wrong key, identity, PSK).
    pub handshakes_failed: BigInt,
    /// Sessions whose peer has not confirmed yet.
    pub pending_handshakes: BigInt,
    /// Live sessions.
    pub sessions: BigInt,
    /// Panics the receive task caught and survived.
    pub receive_panics: BigInt,
    /// Panics the timer task caught and survived.
    pub maintenance_panics: BigInt,
    /// Datagrams the socket refused (send buffer full); reliable packets
    /// among them are retransmitted.
    pub datagrams_refused: BigInt,
}

impl From<MeshStats> for JsMeshStats {
    fn from(s: MeshStats) -> Self {
        JsMeshStats {
            datagrams_received: BigInt::from(s.datagrams_received),
            datagrams_sent: BigInt::from(s.datagrams_sent),
            tampered: BigInt::from(s.tampered),
            replayed: BigInt::from(s.replayed),
            malformed: BigInt::from(s.malformed),
            handshakes_completed: BigInt::from(s.handshakes_completed),
            handshakes_failed: BigInt::from(s.handshakes_failed),
            pending_handshakes: BigInt::from(s.pending_handshakes),
            sessions: BigInt::from(s.sessions),
            receive_panics: BigInt::from(s.receive_panics),
            maintenance_panics: BigInt::from(s.maintenance_panics),
            datagrams_refused: BigInt::from(s.datagrams_refused),
        }
    }
}

/// A peer with a session (live or dead).
#[napi(object)]
pub struct JsPeer {
    pub node_id: BigInt,
    /// Its authenticated identity (32 bytes).
    pub entity_id: Buffer,
    /// Where its packets come from, `"ip:port"`.
    pub addr: String,
    #[napi(ts_type = "'alive' | 'suspect' | 'dead'")]
    pub state: String,
}

impl From<PeerInfo> for JsPeer {
    fn from(p: PeerInfo) -> Self {
        JsPeer {
            node_id: BigInt::from(p.node_id),
            entity_id: p.entity_id.as_bytes().to_vec().into(),
            addr: p.addr.to_string(),
            state: p.state.as_str().to_owned(),
        }
    }
}

/// Live counters of a stream (all bigints, as the seed promises).
#[napi(object)]
pub struct JsStreamStats {
    /// Next sequence number this side sends.
    pub tx_seq: BigInt,
    /// Next sequence number this side expects.
    pub rx_seq: BigInt,
    /// Packets sent and not yet acknowledged.
    pub in_flight: BigInt,
    /// The in-flight window (packets).
    pub window: BigInt,
    /// Sends refused with `backpressure`, cumulative.
    pub backpressure_events: BigInt,
    /// Packets sent again after a timeout.
    pub retransmits: BigInt,
    /// Messages accepted for sending.
    pub messages_sent: BigInt,
    /// Messages delivered to this side's inbox.
    pub messages_received: BigInt,
    /// Messages waiting to be received.
    pub inbox: BigInt,
    /// Smoothed round-trip time, microseconds (0 before a sample).
    pub srtt_us: BigInt,
}

impl From<StreamStats> for JsStreamStats {
    fn from(s: StreamStats) -> Self {
        JsStreamStats {
            tx_seq: BigInt::from(s.tx_seq),
            rx_seq: BigInt::from(s.rx_seq),
            in_flight: BigInt::from(s.in_flight),
            window: BigInt::from(u64::from(s.window)),
            backpressure_events: BigInt::from(s.backpressure_events),
            retransmits: BigInt::from(s.retransmits),
            messages_sent: BigInt::from(s.messages_sent),
            messages_received: BigInt::from(s.messages_received),
            inbox: BigInt::from(s.inbox),
            srtt_us: BigInt::from(s.srtt_us),
        }
    }
}

