//! Where a node's events go: the transports named in configuration.
//!
//! [`NetAdapterConfig`] describes a point-to-point mesh link the node sets
//! up itself: bind a [`Mesh`], complete the handshake with the one peer,
//! start the mesh and run the bus over it ([`MeshBackend`](super::backend::MeshBackend)).
//! The initiator knows the peer's address and static public key; the
//! responder waits for the peer to arrive. [`TransportConfig`] is the same
//! choice as every face writes it: a JSON object with a `type`.

#[cfg(feature = "net")]
use std::time::Duration;

#[cfg(feature = "net")]
use serde::Deserialize;

use crate::error::{Result, SdkError};
#[cfg(feature = "net")]
use crate::identity::Identity;
#[cfg(feature = "net")]
use crate::mesh::{Mesh, MeshBuilder};

/// The handshake time limit when none is configured: a responder waits
/// this long for its peer, an initiator for the answer.
#[cfg(feature = "net")]
const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[cfg(feature = "net")]
#[derive(Debug, Clone)]
enum Role {
    Initiator { peer: String, peer_public_key: Vec<u8> },
    Responder,
}

#[cfg(feature = "net")]
/// A mesh link for [`NetBuilder::mesh`](super::NetBuilder::mesh): which
/// address to bind, the pre-shared key, and whether this side dials or
/// waits to be dialled.
///
/// ```no_run
/// # async fn demo(peer_key: [u8; 32]) -> net_sdk::Result<()> {
/// use net_sdk::{Net, NetAdapterConfig};
/// let psk = [7u8; 32];
/// let net = Net::builder()
///     .mesh(NetAdapterConfig::initiator("0.0.0.0:9000", "192.168.1.10:9001", psk, peer_key))
///     .build()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct NetAdapterConfig {
    bind: String,
    psk: Vec<u8>,
    role: Role,
    identity: Option<Identity>,
    peer_node_id: Option<u64>,
    handshake_timeout: Duration,
}

#[cfg(feature = "net")]
impl std::fmt::Debug for NetAdapterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The PSK and the identity are secrets: never printed.
        f.debug_struct("NetAdapterConfig")
            .field("bind", &self.bind)
            .field("role", &self.role)
            .field("peer_node_id", &self.peer_node_id)
            .field("handshake_timeout", &self.handshake_timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "net")]
impl NetAdapterConfig {
    /// Bind `bind` and dial the node at `peer` (each `"ip:port"` text or a
    /// `SocketAddr`) whose static key is
    /// `peer_public_key` (its `Mesh::public_key`, or
    /// [`Identity::mesh_public_key`] of its identity).
    pub fn initiator(
        bind: impl ToString,
        peer: impl ToString,
        psk: impl AsRef<[u8]>,
        peer_public_key: impl AsRef<[u8]>,
    ) -> Self {
        let role = Role::Initiator { peer: peer.to_string(), peer_public_key: peer_public_key.as_ref().to_vec() };
        Self::new(bind.to_string(), psk.as_ref(), role)
    }

    /// Bind `bind` and wait for a node holding `psk` to dial in (pin which
    /// one with [`peer_node_id`](Self::peer_node_id)). Give the responder a
    /// fixed [`identity`](Self::identity) so its public key is known to the
    /// initiator in advance.
    pub fn responder(bind: impl ToString, psk: impl AsRef<[u8]>) -> Self {
        Self::new(bind.to_string(), psk.as_ref(), Role::Responder)
    }

    fn new(bind: String, psk: &[u8], role: Role) -> Self {
        Self {
            bind,
            psk: psk.to_vec(),
            role,
            identity: None,
            peer_node_id: None,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }

    /// This node's identity (default: a fresh one). Its seed fixes the
    /// node id and the static key peers dial.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Only a peer with this node id will do: the initiator refuses any
    /// other with `identity_mismatch`, the responder answers no other.
    pub fn peer_node_id(mut self, node_id: u64) -> Self {
        self.peer_node_id = Some(node_id);
        self
    }

    /// How long the handshake may take (a responder: how long it waits for
    /// its peer); default 10 s.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Whether this side dials.
    pub fn is_initiator(&self) -> bool {
        matches!(self.role, Role::Initiator { .. })
    }

    /// Bind, complete the handshake with the peer, and start the mesh.
    /// The mesh is shut down again if the handshake fails.
    pub async fn establish(self) -> Result<Mesh> {
        let mut builder = MeshBuilder::new(self.bind.as_str(), &self.psk)?.handshake_timeout(self.handshake_timeout);
        if let Some(identity) = self.identity {
            builder = builder.identity(identity);
        }
        let mesh = builder.build().await?;
        let timeout = self.handshake_timeout;
        let linked = match (&self.role, self.peer_node_id) {
            (Role::Initiator { peer, peer_public_key }, id) => {
                // Nobody is meant to dial an initiator: refuse at once.
                mesh.set_refuse_unaccepted(true);
                match id {
                    Some(id) => mesh.connect_with_timeout(peer.as_str(), peer_public_key, id, timeout).await,
                    None => mesh.dial_with_timeout(peer.as_str(), peer_public_key, timeout).await.map(drop),
                }
            }
            (Role::Responder, Some(id)) => refusing_others(&mesh, mesh.accept_with_timeout(id, timeout)).await,
            (Role::Responder, None) => refusing_others(&mesh, mesh.accept_any_with_timeout(timeout)).await,
        };
        if let Err(e) = linked.and_then(|()| mesh.start()) {
            let _ = mesh.shutdown().await;
            return Err(e);
        }
        Ok(mesh)
    }
}

#[cfg(feature = "net")]
/// Await a responder's `accept`, refusing every other node that dials.
/// The refusal is turned on only after the accept's first poll has
/// registered it, so the expected peer's earliest hello is never refused;
/// a link has one peer, so any other is told so at once, now and later.
async fn refusing_others<T>(mesh: &Mesh, accept: impl std::future::Future<Output = Result<T>>) -> Result<()> {
    let mut accept = std::pin::pin!(accept);
    if let std::task::Poll::Ready(done) = futures::poll!(accept.as_mut()) {
        mesh.set_refuse_unaccepted(true);
        return done.map(drop);
    }
    mesh.set_refuse_unaccepted(true);
    accept.await.map(drop)
}

/// A node's transport as configuration names it (see
/// [`NetBuilder::transport`](super::NetBuilder::transport)).
#[derive(Debug, Clone)]
pub enum TransportConfig {
    /// The in-process bus (the default).
    Memory,
    /// The bus over an encrypted mesh link.
    #[cfg(feature = "net")]
    Mesh(Box<NetAdapterConfig>),
    /// Events stored in Redis Streams.
    #[cfg(feature = "redis")]
    Redis(Box<super::backend::RedisAdapterConfig>),
    /// Events stored in NATS JetStream.
    #[cfg(feature = "jetstream")]
    JetStream(Box<super::backend::JetStreamAdapterConfig>),
}

/// The keys of `{"type": "redis", ...}`.
#[cfg(feature = "redis")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedisSpec {
    url: String,
    #[serde(default)]
    prefix: Option<String>,
    #[serde(default, alias = "maxLen", alias = "maxlen")]
    maxlen: Option<usize>,
    #[serde(default, alias = "connectTimeoutMs")]
    connect_timeout_ms: Option<u64>,
    #[serde(default, alias = "responseTimeoutMs")]
    response_timeout_ms: Option<u64>,
    #[serde(default, alias = "producerNoncePath")]
    producer_nonce_path: Option<String>,
}

/// The keys of `{"type": "jetstream", ...}`.
#[cfg(feature = "jetstream")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JetStreamSpec {
    url: String,
    #[serde(default)]
    stream: Option<String>,
    #[serde(default, alias = "subjectPrefix")]
    subject_prefix: Option<String>,
    #[serde(default, alias = "maxMessages")]
    max_messages: Option<u64>,
    #[serde(default, alias = "duplicateWindowMs")]
    duplicate_window_ms: Option<u64>,
    #[serde(default, alias = "connectTimeoutMs")]
    connect_timeout_ms: Option<u64>,
    #[serde(default, alias = "requestTimeoutMs")]
    request_timeout_ms: Option<u64>,
    #[serde(default, alias = "producerNoncePath")]
    producer_nonce_path: Option<String>,
}

/// A positive number of milliseconds.
#[cfg(any(feature = "redis", feature = "jetstream"))]
fn millis(key: &str, ms: u64) -> Result<Duration> {
    if ms == 0 {
        return Err(invalid(format!("{key} must be > 0")));
    }
    Ok(Duration::from_millis(ms))
}

#[cfg(feature = "redis")]
impl RedisSpec {
    fn into_config(self) -> Result<super::backend::RedisAdapterConfig> {
        let mut c = super::backend::RedisAdapterConfig::new(self.url);
        if let Some(p) = self.prefix {
            c = c.prefix(p);
        }
        if let Some(n) = self.maxlen {
            c = c.maxlen(n);
        }
        if let Some(ms) = self.connect_timeout_ms {
            c = c.connect_timeout(millis("connect_timeout_ms", ms)?);
        }
        if let Some(ms) = self.response_timeout_ms {
            c = c.response_timeout(millis("response_timeout_ms", ms)?);
        }
        if let Some(p) = self.producer_nonce_path {
            c = c.producer_nonce_path(p);
        }
        c.validate()?;
        Ok(c)
    }
}

#[cfg(feature = "jetstream")]
impl JetStreamSpec {
    fn into_config(self) -> Result<super::backend::JetStreamAdapterConfig> {
        let mut c = super::backend::JetStreamAdapterConfig::new(self.url);
        if let Some(s) = self.stream {
            c = c.stream(s);
        }
        if let Some(p) = self.subject_prefix {
            c = c.subject_prefix(p);
        }
        if let Some(n) = self.max_messages {
            c = c.max_messages(n);
        }
        if let Some(ms) = self.duplicate_window_ms {
            c = c.duplicate_window(millis("duplicate_window_ms", ms)?);
        }
        if let Some(ms) = self.connect_timeout_ms {
            c = c.connect_timeout(millis("connect_timeout_ms", ms)?);
        }
        if let Some(ms) = self.request_timeout_ms {
            c = c.request_timeout(millis("request_timeout_ms", ms)?);
        }
        if let Some(p) = self.producer_nonce_path {
            c = c.producer_nonce_path(p);
        }
        c.validate()?;
        Ok(c)
    }
}

#[cfg(feature = "net")]
/// The keys of `{"type": "mesh", ...}`; byte strings are hex.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeshSpec {
    #[serde(alias = "bind_addr", alias = "bindAddr")]
    bind: String,
    #[serde(default, alias = "peer_addr", alias = "peerAddr")]
    peer: Option<String>,
    psk: String,
    #[serde(default, alias = "peerPublicKey")]
    peer_public_key: Option<String>,
    #[serde(default, alias = "peerNodeId")]
    peer_node_id: Option<NodeIdSpec>,
    #[serde(default, alias = "identitySeed")]
    identity_seed: Option<String>,
    #[serde(default, alias = "handshakeTimeoutMs")]
    handshake_timeout_ms: Option<u64>,
}

#[cfg(feature = "net")]
/// A node id as a JSON number or, for languages whose numbers cannot hold
/// a u64 exactly, a decimal or `0x` hex string.
#[derive(Deserialize)]
#[serde(untagged)]
enum NodeIdSpec {
    Number(u64),
    Text(String),
}

/// The transport types, as error messages list them.
const KINDS: &str = "\"memory\", \"mesh\", \"redis\" or \"jetstream\"";

fn invalid(message: String) -> SdkError {
    SdkError::InvalidConfig(format!("transport: {message}"))
}

#[cfg(feature = "net")]
fn hex_bytes(key: &str, text: &str, len: usize) -> Result<Vec<u8>> {
    let bytes = hex::decode(text).map_err(|e| invalid(format!("{key} must be {} hex digits: {e}", len * 2)))?;
    if bytes.len() != len {
        return Err(invalid(format!("{key} must be {len} bytes ({} hex digits), got {}", len * 2, bytes.len())));
    }
    Ok(bytes)
}

#[cfg(feature = "net")]
impl NodeIdSpec {
    fn value(self) -> Result<u64> {
        match self {
            NodeIdSpec::Number(n) => Ok(n),
            NodeIdSpec::Text(t) => {
                let parsed = match t.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => t.parse(),
                };
                parsed.map_err(|_| invalid(format!("peer_node_id {t:?} is not a u64 (decimal or 0x hex)")))
            }
        }
    }
}

#[cfg(feature = "net")]
impl MeshSpec {
    fn into_config(self) -> Result<NetAdapterConfig> {
        let psk = hex_bytes("psk", &self.psk, 32)?;
        let mut config = match (self.peer, self.peer_public_key) {
            (Some(peer), Some(key)) => {
                NetAdapterConfig::initiator(self.bind, peer, &psk, hex_bytes("peer_public_key", &key, 32)?)
            }
            (Some(_), None) => return Err(invalid("a mesh transport with a peer needs its peer_public_key".into())),
            (None, Some(_)) => return Err(invalid("peer_public_key without a peer address to dial".into())),
            (None, None) => NetAdapterConfig::responder(self.bind, &psk),
        };
        if let Some(seed) = self.identity_seed {
            let seed: [u8; 32] = hex_bytes("identity_seed", &seed, 32)?.try_into().expect("32 bytes");
            config = config.identity(Identity::from_seed(seed));
        }
        if let Some(id) = self.peer_node_id {
            config = config.peer_node_id(id.value()?);
        }
        if let Some(ms) = self.handshake_timeout_ms {
            if ms == 0 {
                return Err(invalid("handshake_timeout_ms must be > 0".into()));
            }
            config = config.handshake_timeout(Duration::from_millis(ms));
        }
        Ok(config)
    }
}

impl TransportConfig {
    /// Parse a transport object such as
    /// `{"type": "mesh", "bind": "0.0.0.0:9000", "peer": "10.0.0.2:9001",
    /// "psk": "<64 hex>", "peer_public_key": "<64 hex>"}` (camelCase keys
    /// are accepted too). Without `peer` the node is the responder.
    ///
    /// `{"type": "redis", "url": "redis://host:6379"}` takes the optional
    /// keys `prefix`, `maxlen`, `connect_timeout_ms`, `response_timeout_ms`
    /// and `producer_nonce_path`; `{"type": "jetstream", "url":
    /// "nats://host:4222"}` takes `stream`, `subject_prefix`,
    /// `max_messages`, `duplicate_window_ms`, `connect_timeout_ms`,
    /// `request_timeout_ms` and `producer_nonce_path`. Unknown types and
    /// keys are refused by name.
    pub fn from_json(text: &str) -> Result<Self> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        Self::from_value(value)
    }

    /// [`from_json`](Self::from_json) for an already parsed value.
    pub fn from_value(value: serde_json::Value) -> Result<Self> {
        let serde_json::Value::Object(mut map) = value else {
            return Err(invalid("must be an object with a \"type\"".into()));
        };
        let kind = match map.remove("type") {
            Some(serde_json::Value::String(kind)) => kind,
            _ => return Err(invalid(format!("\"type\" is required: {KINDS}"))),
        };
        match kind.as_str() {
            "memory" => match map.keys().next() {
                None => Ok(TransportConfig::Memory),
                Some(key) => Err(invalid(format!("the memory transport takes no options, got {key:?}"))),
            },
            #[cfg(feature = "net")]
            "mesh" => {
                let spec: MeshSpec =
                    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| invalid(format!("mesh: {e}")))?;
                Ok(TransportConfig::Mesh(Box::new(spec.into_config()?)))
            }
            #[cfg(not(feature = "net"))]
            "mesh" => Err(invalid("this build has no mesh (the `net` feature is off)".into())),
            #[cfg(feature = "redis")]
            "redis" => {
                let spec: RedisSpec =
                    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| invalid(format!("redis: {e}")))?;
                Ok(TransportConfig::Redis(Box::new(spec.into_config()?)))
            }
            #[cfg(feature = "jetstream")]
            "jetstream" => {
                let spec: JetStreamSpec = serde_json::from_value(serde_json::Value::Object(map))
                    .map_err(|e| invalid(format!("jetstream: {e}")))?;
                Ok(TransportConfig::JetStream(Box::new(spec.into_config()?)))
            }
            #[cfg(not(all(feature = "redis", feature = "jetstream")))]
            "redis" | "jetstream" => {
                Err(invalid(format!("the {kind} transport is not in this build (enable the core's \"{kind}\" feature)")))
            }
            other => Err(invalid(format!("unknown type {other:?}: use {KINDS}"))),
        }
    }
}

#[cfg(all(test, feature = "net"))]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        match TransportConfig::from_json(text) {
            Ok(t) => panic!("{text} was accepted as {t:?}"),
            Err(e) => e.to_string(),
        }
    }

    const PSK: &str = "4242424242424242424242424242424242424242424242424242424242424242";

    #[test]
    fn mesh_roles_follow_the_presence_of_a_peer() {
        let initiator = format!(
            r#"{{"type":"mesh","bind":"127.0.0.1:0","peer":"127.0.0.1:9","psk":"{PSK}","peerPublicKey":"{PSK}","peerNodeId":"0x10"}}"#
        );
        let TransportConfig::Mesh(c) = TransportConfig::from_json(&initiator).unwrap() else { panic!("not mesh") };
        assert!(c.is_initiator());
        assert_eq!(c.peer_node_id, Some(16));
        let responder = format!(r#"{{"type":"mesh","bind_addr":"127.0.0.1:0","psk":"{PSK}","peer_node_id":7}}"#);
        let TransportConfig::Mesh(c) = TransportConfig::from_json(&responder).unwrap() else { panic!("not mesh") };
        assert!(!c.is_initiator());
        assert_eq!(c.peer_node_id, Some(7));
        assert!(matches!(TransportConfig::from_json(r#"{"type":"memory"}"#), Ok(TransportConfig::Memory)));
    }

    #[test]
    fn bad_transports_are_refused_by_name() {
        assert!(refused(r#"{"type":"redis"}"#).contains("url"));
        assert!(refused(r#"{"type":"jetstream","url":"nats://h:1","bogus":1}"#).contains("bogus"));
        assert!(refused(r#"{"type":"redis","url":"redis://h:1","maxlen":0}"#).contains("maxlen"));
        assert!(refused(r#"{"type":"jetstream","url":"nats://h:1","request_timeout_ms":0}"#).contains("> 0"));
        assert!(refused(r#"{"type":"carrier-pigeon"}"#).contains("carrier-pigeon"));
        assert!(refused(r#"{"bind":"x"}"#).contains("\"type\" is required"));
        assert!(refused(r#"[1]"#).contains("object"));
        assert!(refused(r#"{"type":"memory","shards":2}"#).contains("shards"));
        assert!(refused(r#"{"type":"mesh","bind":"127.0.0.1:0","psk":"abc"}"#).contains("psk"));
        assert!(refused(&format!(r#"{{"type":"mesh","bind":"127.0.0.1:0","psk":"{PSK}","bogus":1}}"#)).contains("bogus"));
        assert!(refused(&format!(r#"{{"type":"mesh","bind":"b","peer":"p","psk":"{PSK}"}}"#)).contains("peer_public_key"));
        assert!(refused(&format!(r#"{{"type":"mesh","bind":"b","psk":"{PSK}","peer_public_key":"{PSK}"}}"#))
            .contains("without a peer"));
        assert!(refused(&format!(r#"{{"type":"mesh","bind":"b","psk":"{PSK}","peer_node_id":"zz"}}"#)).contains("zz"));
        assert!(refused(&format!(r#"{{"type":"mesh","bind":"b","psk":"{PSK}","handshake_timeout_ms":0}}"#)).contains("> 0"));
        assert!(refused("{").contains("not JSON"));
    }

    #[test]
    fn redis_and_jetstream_take_their_keys_in_both_spellings() {
        let TransportConfig::Redis(r) = TransportConfig::from_json(
            r#"{"type":"redis","url":"redis://:pw@127.0.0.1:1","prefix":"p","maxLen":9,"producerNoncePath":"/tmp/n","response_timeout_ms":7}"#,
        )
        .unwrap() else {
            panic!("not redis")
        };
        assert_eq!((r.prefix.as_str(), r.maxlen, r.response_timeout), ("p", Some(9), Duration::from_millis(7)));
        assert_eq!(r.producer_nonce_path.as_deref(), Some(std::path::Path::new("/tmp/n")));
        assert!(!format!("{r:?}").contains("pw"));
        let TransportConfig::JetStream(j) = TransportConfig::from_json(
            r#"{"type":"jetstream","url":"nats://127.0.0.1:1","stream":"S","subjectPrefix":"x","max_messages":5,"duplicateWindowMs":1000,"producer_nonce_path":"n"}"#,
        )
        .unwrap() else {
            panic!("not jetstream")
        };
        assert_eq!((j.stream.as_str(), j.subject_prefix.as_str(), j.max_messages), ("S", "x", Some(5)));
        assert_eq!(j.duplicate_window, Duration::from_secs(1));
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let c = NetAdapterConfig::responder("127.0.0.1:0", [0xAB; 32]).identity(Identity::from_seed([0xCD; 32]));
        let shown = format!("{c:?}");
        assert!(!shown.contains("171") && !shown.to_lowercase().contains("abab"), "{shown}");
    }
}
