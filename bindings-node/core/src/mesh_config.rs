//! `MeshOptions`: the options of `MeshNode.create(...)`, mapped onto the
//! core's `MeshBuilder` (which validates every range).
//!
//! A bad `bindAddr` or `psk` is a configuration error (kind
//! `invalid_config`), as in the C ABI's `net_mesh_new`; a bad
//! `identitySeed` keeps the identity kind (`invalid_length`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use net_sdk::mesh::MeshBuilder;
use net_sdk::subnets::{SubnetId, SubnetPolicy, SubnetRule};
use net_sdk::Identity;

use crate::error::{error, fail, invalid, Result};

/// Options of a mesh node.
#[napi(object)]
pub struct MeshOptions {
    /// The UDP address to bind, `"ip:port"` (port 0 picks a free one).
    pub bind_addr: String,
    /// The mesh's 32-byte pre-shared key: 64 hex digits or 32 bytes.
    #[napi(ts_type = "string | Uint8Array")]
    pub psk: Either<String, Buffer>,
    /// A 32-byte identity seed; the node's ids and static key derive from
    /// it (default: a fresh identity).
    pub identity_seed: Option<Buffer>,
    /// How long `connect` and `accept` wait by default (default 5000).
    pub handshake_timeout_ms: Option<f64>,
    /// Idle time before a heartbeat is sent (default 500).
    pub heartbeat_interval_ms: Option<f64>,
    /// Silence after which a peer is 'suspect' (default 2000).
    pub suspect_after_ms: Option<f64>,
    /// Silence after which a peer is 'dead' and its session closed (default 6000).
    pub dead_after_ms: Option<f64>,
    /// Largest datagram sent, 512..=65000 bytes (default 1400).
    pub max_datagram: Option<u32>,
    /// Refuse a hello nobody accepts at once (`handshake_refused` at the
    /// dialer) instead of staying silent until its timeout (default false).
    pub refuse_unaccepted: Option<bool>,
    /// This node's subnet, up to 4 levels of 0..=255 (default: the root).
    pub subnet: Option<JsSubnetId>,
    /// The mesh-wide policy deriving each peer's subnet from its announced
    /// tags (every node must hold the same one).
    pub subnet_policy: Option<JsSubnetPolicy>,
    /// How often expired capability entries are evicted (ms, default 60000).
    pub capability_gc_interval_ms: Option<f64>,
    /// Shortest time between two broadcasts of this node's capabilities;
    /// announces within it are coalesced (ms, 0 allowed, default 10000).
    pub min_announce_interval_ms: Option<f64>,
    /// Time to live of this node's announcements at receivers (whole
    /// seconds, default 300).
    pub capability_ttl_secs: Option<f64>,
}

/// A subnet id: `{ levels: [3, 7] }`, outermost level first.
#[napi(object)]
pub struct JsSubnetId {
    /// Up to 4 levels, each 0..=255 (trailing zeros are dropped).
    pub levels: Vec<u32>,
}

/// One rule of a subnet policy: tag `<tagPrefix><name>` sets level `level` to `values[name]`.
#[napi(object)]
pub struct JsSubnetRule {
    /// The tag prefix, e.g. `"region:"`.
    pub tag_prefix: String,
    /// The level it assigns, 0..=3.
    pub level: u32,
    /// What follows the prefix → the level's value, 1..=255.
    pub values: HashMap<String, u32>,
}

/// A subnet policy: `{ rules: [...] }`, applied in order.
#[napi(object)]
pub struct JsSubnetPolicy {
    /// The rules.
    pub rules: Vec<JsSubnetRule>,
}

/// A byte of a subnet id or rule, or `invalid_subnet`.
fn subnet_byte(v: u32, what: &str) -> Result<u8> {
    u8::try_from(v).map_err(|_| error("invalid_subnet", format!("invalid subnet: {what} {v} is not 0..=255")))
}

impl JsSubnetId {
    pub fn to_core(&self) -> Result<SubnetId> {
        let levels = self.levels.iter().map(|&l| subnet_byte(l, "level")).collect::<Result<Vec<u8>>>()?;
        SubnetId::try_new(&levels).map_err(fail)
    }
}

impl JsSubnetPolicy {
    pub fn to_core(&self) -> Result<SubnetPolicy> {
        let mut policy = SubnetPolicy::new();
        for r in &self.rules {
            let mut values = BTreeMap::new();
            for (k, &v) in &r.values {
                values.insert(k.clone(), subnet_byte(v, "value")?);
            }
            let level = subnet_byte(r.level, "rule level")?;
            policy.rules.push(SubnetRule { tag_prefix: r.tag_prefix.clone(), level, values });
        }
        policy.check().map_err(fail)?;
        Ok(policy)
    }
}

impl MeshOptions {
    /// The builder these options describe.
    pub fn builder(&self) -> Result<MeshBuilder> {
        let psk = match &self.psk {
            Either::A(text) => psk_hex(text)?,
            Either::B(bytes) => bytes.to_vec(),
        };
        let config = |e: net_sdk::SdkError| error("invalid_config", format!("mesh config: {e}"));
        let mut b = MeshBuilder::new(self.bind_addr.as_str(), &psk).map_err(config)?;
        if let Some(seed) = &self.identity_seed {
            b = b.identity(Identity::from_seed_slice(seed).map_err(fail)?);
        }
        if let Some(ms) = self.handshake_timeout_ms {
            b = b.handshake_timeout(millis(ms, "handshakeTimeoutMs")?);
        }
        if let Some(ms) = self.heartbeat_interval_ms {
            b = b.heartbeat_interval(millis(ms, "heartbeatIntervalMs")?);
        }
        if let Some(ms) = self.suspect_after_ms {
            b = b.suspect_after(millis(ms, "suspectAfterMs")?);
        }
        if let Some(ms) = self.dead_after_ms {
            b = b.dead_after(millis(ms, "deadAfterMs")?);
        }
        if let Some(n) = self.max_datagram {
            b = b.max_datagram(n as usize);
        }
        if let Some(id) = &self.subnet {
            b = b.subnet(id.to_core()?);
        }
        if let Some(policy) = &self.subnet_policy {
            b = b.subnet_policy(Arc::new(policy.to_core()?));
        }
        if let Some(ms) = self.capability_gc_interval_ms {
            b = b.capability_gc_interval(millis(ms, "capabilityGcIntervalMs")?);
        }
        if let Some(ms) = self.min_announce_interval_ms {
            b = b.min_announce_interval(if ms == 0.0 { Duration::ZERO } else { millis(ms, "minAnnounceIntervalMs")? });
        }
        if let Some(secs) = self.capability_ttl_secs {
            b = b.capability_ttl(Duration::from_secs(whole(secs, "capabilityTtlSecs", "seconds")?));
        }
        Ok(b.refuse_unaccepted(self.refuse_unaccepted.unwrap_or(false)))
    }
}

/// The key from its 64 hex digits.
fn psk_hex(text: &str) -> Result<Vec<u8>> {
    hex::decode(text).map_err(|e| error("invalid_config", format!("mesh config: psk must be 64 hex digits or 32 bytes: {e}")))
}

/// A duration from a whole, positive number of milliseconds.
pub fn millis(ms: f64, what: &str) -> Result<Duration> {
    whole(ms, what, "milliseconds").map(Duration::from_millis)
}

/// A whole, positive number of `unit`s (at most 2^32 - 1).
fn whole(v: f64, what: &str, unit: &str) -> Result<u64> {
    if v.is_finite() && v > 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
        Ok(v as u64)
    } else {
        Err(invalid(format!("{what} must be a whole number of {unit} > 0, got {v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_text_must_be_hex_and_durations_whole_positive_milliseconds() {
        assert_eq!(psk_hex(&"42".repeat(32)).unwrap(), vec![0x42; 32]);
        assert_eq!(psk_hex("zz").unwrap_err().status.0, "invalid_config");
        assert_eq!(psk_hex("abc").unwrap_err().status.0, "invalid_config");
        assert_eq!(millis(250.0, "t").unwrap(), Duration::from_millis(250));
        for bad in [0.0, -5.0, 1.5, f64::NAN, f64::INFINITY, 1e12] {
            assert_eq!(millis(bad, "t").unwrap_err().status.0, "invalid_argument", "{bad}");
        }
    }
}
