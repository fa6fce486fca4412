//! Stream configuration and the mesh's tunables.

use std::time::Duration;

use super::crypto::DEFAULT_REKEY_AFTER;

/// Largest message a stream accepts, in bytes. Reliable messages larger
/// than one datagram are fragmented; larger ones fail with
/// [`SdkError::MessageTooLarge`](crate::SdkError::MessageTooLarge).
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// Delivery guarantee of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reliability {
    /// Every message exactly once and in order: acknowledged, retransmitted
    /// on an RTT-derived timeout, bounded by the window.
    #[default]
    Reliable,
    /// Fire-and-forget: sent once, never retransmitted, may be lost,
    /// duplicated by the network is filtered, order not guaranteed.
    FireAndForget,
}

/// How a stream behaves; from [`StreamConfig::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamConfig {
    /// Delivery guarantee (default [`Reliability::Reliable`]).
    pub reliability: Reliability,
    /// In-flight bound: the number of unacknowledged *packets* (message
    /// fragments, one per message up to one datagram) a reliable stream
    /// may have outstanding. A send that would exceed it fails at once with
    /// `Backpressure`. The name follows the SDK contract; the unit is
    /// packets. Default 256.
    pub window: u32,
    /// Messages the receive side queues for the application before it
    /// stops acknowledging (flow control). Default 8192.
    pub receive_capacity: usize,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self { reliability: Reliability::Reliable, window: 256, receive_capacity: 8192 }
    }
}

impl StreamConfig {
    /// The defaults: reliable, window 256.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the delivery guarantee.
    pub fn with_reliability(mut self, reliability: Reliability) -> Self {
        self.reliability = reliability;
        self
    }

    /// Set the in-flight window (packets; see [`StreamConfig::window`]).
    pub fn with_window_bytes(mut self, window: u32) -> Self {
        self.window = window;
        self
    }

    /// Set how many received messages wait for the application.
    pub fn with_receive_capacity(mut self, messages: usize) -> Self {
        self.receive_capacity = messages;
        self
    }
}

/// Liveness of a peer, from the time since it was last heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerState {
    /// Heard from within `suspect_after`.
    Alive,
    /// Silent for `suspect_after` but not yet `dead_after`: sends still go out.
    Suspect,
    /// Silent for `dead_after`, or it closed: sends fail with `NotConnected`
    /// until a new handshake restores the session.
    Dead,
}

impl PeerState {
    /// `"alive"`, `"suspect"` or `"dead"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Alive => "alive",
            Self::Suspect => "suspect",
            Self::Dead => "dead",
        }
    }
}

/// The mesh's tunables; set through [`MeshBuilder`](super::MeshBuilder).
#[derive(Debug, Clone)]
pub struct MeshConfig {
    pub(crate) handshake_timeout: Duration,
    pub(crate) heartbeat_interval: Duration,
    pub(crate) suspect_after: Duration,
    pub(crate) dead_after: Duration,
    pub(crate) max_datagram: usize,
    pub(crate) loopback_datagram: usize,
    pub(crate) rekey_after: u64,
    pub(crate) min_rto: Duration,
    pub(crate) max_rto: Duration,
    pub(crate) refuse_unaccepted: bool,
    pub(crate) min_announce_interval: Duration,
    pub(crate) capability_gc_interval: Duration,
    pub(crate) capability_ttl: Duration,
    pub(crate) subnet: crate::subnets::SubnetId,
    pub(crate) subnet_policy: Option<std::sync::Arc<crate::subnets::SubnetPolicy>>,
}

impl Default for MeshConfig {
    fn default() -> Self {
        Self {
            handshake_timeout: Duration::from_secs(5),
            heartbeat_interval: Duration::from_millis(500),
            suspect_after: Duration::from_secs(2),
            dead_after: Duration::from_secs(6),
            max_datagram: 1400,
            loopback_datagram: 16 * 1024,
            rekey_after: DEFAULT_REKEY_AFTER,
            min_rto: Duration::from_millis(10),
            max_rto: Duration::from_secs(1),
            refuse_unaccepted: false,
            min_announce_interval: Duration::from_secs(10),
            capability_gc_interval: Duration::from_secs(60),
            capability_ttl: Duration::from_secs(300),
            subnet: crate::subnets::SubnetId::ROOT,
            subnet_policy: None,
        }
    }
}

impl MeshConfig {
    /// The largest datagram for a session with a peer at `addr`.
    pub(crate) fn datagram_for(&self, addr: std::net::SocketAddr) -> usize {
        if addr.ip().is_loopback() {
            self.loopback_datagram
        } else {
            self.max_datagram
        }
    }

    pub(crate) fn validate(&self) -> crate::Result<()> {
        let bad = |m: &str| Err(crate::SdkError::InvalidConfig(m.into()));
        if !(512..=65_000).contains(&self.max_datagram) {
            return bad("max_datagram must be within 512..=65000 bytes");
        }
        if !(512..=65_000).contains(&self.loopback_datagram) {
            return bad("loopback_datagram must be within 512..=65000 bytes");
        }
        if self.suspect_after.is_zero() || self.dead_after < self.suspect_after {
            return bad("need 0 < suspect_after <= dead_after");
        }
        if self.heartbeat_interval.is_zero() || self.handshake_timeout.is_zero() {
            return bad("heartbeat_interval and handshake_timeout must be > 0");
        }
        if self.min_rto.is_zero() || self.max_rto < self.min_rto {
            return bad("need 0 < min_rto <= max_rto");
        }
        if self.capability_gc_interval.is_zero() {
            return bad("capability_gc_interval must be > 0");
        }
        if self.capability_ttl < Duration::from_secs(1) || self.capability_ttl.as_secs() > u64::from(u32::MAX) {
            return bad("capability_ttl must be within 1 s ..= 2^32-1 s");
        }
        if let Some(p) = &self.subnet_policy {
            p.check().map_err(|e| crate::SdkError::InvalidConfig(e.to_string()))?;
        }
        Ok(())
    }
}
