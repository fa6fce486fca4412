//! [`MeshBuilder`]: configuration and start-up of a mesh node.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use tokio::sync::Notify;

use super::addr::ToMeshAddr;
use super::config::MeshConfig;
use super::handshake::StaticKeys;
use super::node::{Counters, Mesh, MeshInner, TaskGuard};
use super::shim::LossyLink;
use super::socket::Socket;
use crate::clock::Clock;
use crate::error::{Result, SdkError};
use crate::identity::{Identity, IdentityError};

/// Configures and starts a [`Mesh`].
///
/// ```no_run
/// # async fn demo() -> net_sdk::Result<()> {
/// use net_sdk::mesh::MeshBuilder;
/// let node = MeshBuilder::new("127.0.0.1:9000", &[0x42u8; 32])?.build().await?;
/// println!("dial me with node id {:#x} and key {}", node.node_id(), hex::encode(node.public_key()));
/// # Ok(()) }
/// ```
pub struct MeshBuilder {
    bind: SocketAddr,
    psk: [u8; 32],
    identity: Option<Identity>,
    config: MeshConfig,
    link: Option<LossyLink>,
    clock: Option<Clock>,
    offload: bool,
}

impl MeshBuilder {
    /// A node that will bind `bind_addr` (`"ip:port"`, port 0 for any) and
    /// admit only peers holding the same 32-byte pre-shared key `psk`.
    pub fn new(bind_addr: impl ToMeshAddr, psk: &[u8]) -> Result<Self> {
        let bind = bind_addr.to_mesh_addr()?;
        let psk: [u8; 32] = psk
            .try_into()
            .map_err(|_| IdentityError::InvalidLength { what: "mesh psk", expected: 32, actual: psk.len() })?;
        Ok(Self { bind, psk, identity: None, config: MeshConfig::default(), link: None, clock: None, offload: true })
    }

    /// The identity that names this node and keys its handshakes (its
    /// static key is derived from the identity's seed, so `node_id()` and
    /// `public_key()` are stable across restarts). Default: a fresh one.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// How long `connect` and `accept` wait, and how long an unconfirmed
    /// responder half is kept (default 5 s).
    pub fn handshake_timeout(mut self, d: Duration) -> Self {
        self.config.handshake_timeout = d;
        self
    }

    /// Idle time after which a heartbeat is sent to a peer (default 500 ms).
    pub fn heartbeat_interval(mut self, d: Duration) -> Self {
        self.config.heartbeat_interval = d;
        self
    }

    /// Silence after which a peer is `Suspect` (default 2 s).
    pub fn suspect_after(mut self, d: Duration) -> Self {
        self.config.suspect_after = d;
        self
    }

    /// Silence after which a peer is `Dead` and its session closed (default 6 s).
    pub fn dead_after(mut self, d: Duration) -> Self {
        self.config.dead_after = d;
        self
    }

    /// Largest datagram sent to any peer, 512..=65000 bytes. Without it
    /// a session picks by its peer's address: 1400 bytes (safe for common
    /// path MTUs) in general, [`loopback_datagram`](Self::loopback_datagram)
    /// for a peer on a loopback address. Setting it sets both.
    pub fn max_datagram(mut self, bytes: usize) -> Self {
        self.config.max_datagram = bytes;
        self.config.loopback_datagram = bytes;
        self
    }

    /// Largest datagram sent to a peer on a loopback address (127.0.0.0/8,
    /// `::1`), 512..=65000 bytes; default 16 KiB. Loopback's MTU is 64 KiB,
    /// so larger datagrams are never fragmented there, and fewer of them
    /// cost fewer seals, system calls and wake-ups. Call after
    /// [`max_datagram`](Self::max_datagram), which sets it too.
    pub fn loopback_datagram(mut self, bytes: usize) -> Self {
        self.config.loopback_datagram = bytes;
        self
    }

    /// Packets per key epoch before the session rekeys (default 2^40).
    pub fn rekey_after(mut self, packets: u64) -> Self {
        self.config.rekey_after = packets.max(1);
        self
    }

    /// Bounds of the retransmission timeout (defaults 10 ms and 1 s).
    pub fn retransmit_timeout(mut self, min: Duration, max: Duration) -> Self {
        self.config.min_rto = min;
        self.config.max_rto = max;
        self
    }

    /// Answer a hello from a node nobody accepts (no `accept` waits for
    /// it, no `accept_any` is open, no earlier session) with a refusal:
    /// its `connect` fails at once with `handshake_refused` instead of
    /// waiting out its timeout. Default off, because a `connect` may
    /// legitimately come before the matching `accept`; turn it on where
    /// this node accepts only at known times. The refused node learns
    /// nothing it could not already: it holds the PSK and our key.
    pub fn refuse_unaccepted(mut self, on: bool) -> Self {
        self.config.refuse_unaccepted = on;
        self
    }

    /// Shortest time between two broadcasts of this node's capabilities
    /// (default 10 s). The first announce after a quiet spell goes out at
    /// once; announces within the interval after it are coalesced into one
    /// broadcast of the latest set when the interval ends. The local index
    /// and the push to a newly connected peer always carry the latest set.
    pub fn min_announce_interval(mut self, d: Duration) -> Self {
        self.config.min_announce_interval = d;
        self
    }

    /// How often expired capability entries are evicted (default 60 s).
    pub fn capability_gc_interval(mut self, d: Duration) -> Self {
        self.config.capability_gc_interval = d;
        self
    }

    /// Time to live of this node's announcements at their receivers
    /// (whole seconds, default 300 s). The node re-announces every half
    /// TTL while it runs, so only a silent node expires.
    pub fn capability_ttl(mut self, d: Duration) -> Self {
        self.config.capability_ttl = d;
        self
    }

    /// This node's subnet (default [`SubnetId::ROOT`](crate::subnets::SubnetId::ROOT)).
    pub fn subnet(mut self, id: crate::subnets::SubnetId) -> Self {
        self.config.subnet = id;
        self
    }

    /// The mesh-wide policy deriving peers' subnets from their announced
    /// tags (every node must hold the same one).
    pub fn subnet_policy(mut self, policy: Arc<crate::subnets::SubnetPolicy>) -> Self {
        self.config.subnet_policy = Some(policy);
        self
    }

    /// Pass every outgoing datagram through a deterministic lossy link
    /// (testing: drop / duplicate / reorder).
    pub fn lossy_link(mut self, link: LossyLink) -> Self {
        self.link = Some(link);
        self
    }

    /// Use the kernel's UDP segmentation offload where it has it (default
    /// on, Linux): a run of equal-sized datagrams leaves in one GSO send and
    /// bursts arrive GRO-coalesced, each segment still one datagram of at
    /// most `max_datagram` bytes. Off: one datagram per `sendmmsg` slot.
    pub fn segmentation_offload(mut self, on: bool) -> Self {
        self.offload = on;
        self
    }

    /// The clock used for liveness and RTT (default [`Clock::system`]).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Bind the socket and start the receive task on the current tokio
    /// runtime (handshakes work from here on). Fails with `InvalidConfig`
    /// outside a runtime or for out-of-range settings, `Io` when binding fails.
    pub async fn build(self) -> Result<Mesh> {
        self.config.validate()?;
        let rt = tokio::runtime::Handle::try_current()
            .map_err(|_| SdkError::InvalidConfig("MeshBuilder::build() must run inside a tokio runtime".into()))?;
        let identity = self.identity.unwrap_or_else(Identity::generate);
        let keys = StaticKeys::derive(&identity);
        let socket = Socket::bind(self.bind, self.link, self.offload).map_err(|e| SdkError::Io(format!("bind {}: {e}", self.bind)))?;
        let local_addr = socket.local_addr().map_err(|e| SdkError::Io(e.to_string()))?;
        let refuse_unaccepted = AtomicBool::new(self.config.refuse_unaccepted);
        let caps = super::capabilities::CapabilityState::new(&self.config);
        let inner = Arc::new(MeshInner {
            identity,
            keys,
            psk: self.psk,
            config: self.config,
            clock: self.clock.unwrap_or_default(),
            socket,
            local_addr,
            by_index: RwLock::new(HashMap::new()),
            peers: RwLock::new(HashMap::new()),
            dialing: Mutex::new(HashMap::new()),
            answered: Mutex::new(HashMap::new()),
            accepting: Mutex::new(HashMap::new()),
            accepting_any: Default::default(),
            refuse_unaccepted,
            known: RwLock::new(HashSet::new()),
            peer_change: Notify::new(),
            counters: Counters::default(),
            panics: Default::default(),
            #[cfg(test)]
            inject_receive_panic: Default::default(),
            shutdown: AtomicBool::new(false),
            maintenance_started: AtomicBool::new(false),
            caps,
        });
        let recv = rt.spawn(super::dispatch::run(inner.clone()));
        let caps = rt.spawn(super::capabilities::run(inner.clone()));
        Ok(Mesh { inner, tasks: Arc::new(TaskGuard(Mutex::new(vec![recv, caps]))) })
    }
}
