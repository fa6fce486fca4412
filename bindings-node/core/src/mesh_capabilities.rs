//! Capability announcements and discovery on a `MeshNode`: announce,
//! find (plain, scoped, best), what the node knows of a peer, counters,
//! subnets, and the test hook that puts raw announcement bytes on the
//! wire.
//!
//! Filters, scopes and capability sets cross as the shared JSON wire
//! shapes (see `capabilities`); node ids are bigints.

use napi::bindgen_prelude::{BigInt, Buffer};
use napi_derive::napi;
use net_sdk::capabilities::{CapabilityFilter, CapabilityStats, ScopeFilterSpec};

use crate::capabilities::{caps_of, parse, to_json};
use crate::error::{fail, Result};
use crate::identity::u64_of;
use crate::mesh::MeshNode;

fn filter_of(json: &str) -> Result<CapabilityFilter> {
    CapabilityFilter::from_json(json).map_err(fail)
}

fn ids(v: Vec<u64>) -> Vec<BigInt> {
    v.into_iter().map(BigInt::from).collect()
}

/// Capability counters of a mesh node; every field a bigint.
#[napi(object)]
pub struct JsCapabilityStats {
    /// Announcements received (malformed bytes included).
    pub received: BigInt,
    /// Accepted: new or newer, verified.
    pub accepted: BigInt,
    /// Exact duplicates dropped.
    pub duplicates: BigInt,
    /// Bytes that did not decode (or had an unsupported version).
    pub rejected_malformed: BigInt,
    /// Bad signatures: tampered or forged.
    pub rejected_signature: BigInt,
    /// Signer does not derive the claimed origin: forged.
    pub rejected_origin: BigInt,
    /// Replays of older versions.
    pub rejected_stale: BigInt,
    /// Over the hop limit.
    pub rejected_hops: BigInt,
    /// Entries evicted by TTL.
    pub evicted: BigInt,
    /// Broadcasts of this node's own capabilities.
    pub broadcasts: BigInt,
    /// Messages sent forwarding others' announcements.
    pub forwarded: BigInt,
    /// Nodes in the index now.
    pub entries: BigInt,
}

impl From<CapabilityStats> for JsCapabilityStats {
    fn from(s: CapabilityStats) -> Self {
        let b = BigInt::from;
        JsCapabilityStats {
            received: b(s.received),
            accepted: b(s.accepted),
            duplicates: b(s.duplicates),
            rejected_malformed: b(s.rejected_malformed),
            rejected_signature: b(s.rejected_signature),
            rejected_origin: b(s.rejected_origin),
            rejected_stale: b(s.rejected_stale),
            rejected_hops: b(s.rejected_hops),
            evicted: b(s.evicted),
            broadcasts: b(s.broadcasts),
            forwarded: b(s.forwarded),
            entries: b(s.entries),
        }
    }
}

/// What a node knows of another (or of itself).
#[napi(object)]
pub struct JsNodeCapabilities {
    /// Its node id.
    pub node_id: BigInt,
    /// Its verified 32-byte entity id.
    pub entity_id: Buffer,
    /// Its announcement's version (0 for this node's own entry).
    pub version: BigInt,
    /// Links away (0: this node).
    pub hops: u32,
    /// Its capabilities: wire JSON `{"tags", "metadata"}`.
    pub capabilities: String,
    /// Its subnet as this node derives it: JSON `{"levels": [...]}`.
    pub subnet: String,
    /// Its resolved scope: JSON `{"kind", ...}`.
    pub scope: String,
}

#[napi]
impl MeshNode {
    /// Announce this node's capabilities (JSON: the wire shape and/or
    /// typed sections): validated (`invalid_capabilities`,
    /// `announcement_too_large`), indexed here at once, broadcast signed to
    /// every peer (coalesced within `minAnnounceIntervalMs`). Never waits.
    #[napi]
    pub fn announce_capabilities(&self, caps_json: String) -> Result<()> {
        let caps = caps_of(&caps_json)?;
        // Coalesced broadcasts are timers of the core's runtime.
        let _runtime = net_sdk::runtime::runtime().enter();
        self.mesh().announce_capabilities_now(caps).map_err(fail)
    }

    /// Nodes matching the filter (JSON), this node included on a
    /// self-match, sorted; no scope filtering.
    #[napi]
    pub fn find_nodes(&self, filter_json: String) -> Result<Vec<BigInt>> {
        Ok(ids(self.mesh().find_nodes(&filter_of(&filter_json)?)))
    }

    /// Nodes matching the filter that the scope filter (JSON `{"kind", ...}`) admits.
    #[napi]
    pub fn find_nodes_scoped(&self, filter_json: String, scope_json: String) -> Result<Vec<BigInt>> {
        let (filter, scope) = (filter_of(&filter_json)?, parse::<ScopeFilterSpec>(&scope_json, "scope")?);
        Ok(ids(self.mesh().find_nodes_scoped(&filter, &scope.as_filter())))
    }

    /// The best match under the scope (most GPU memory, then memory, then
    /// CPU threads, then fewest hops, then lowest id), or null.
    #[napi]
    pub fn find_best_node_scoped(&self, filter_json: String, scope_json: String) -> Result<Option<BigInt>> {
        let (filter, scope) = (filter_of(&filter_json)?, parse::<ScopeFilterSpec>(&scope_json, "scope")?);
        Ok(self.mesh().find_best_node_scoped(&filter, &scope.as_filter()).map(BigInt::from))
    }

    /// What this node knows of `nodeId` (itself included), or null.
    #[napi]
    pub fn capabilities_of(&self, node_id: BigInt) -> Result<Option<JsNodeCapabilities>> {
        let Some(n) = self.mesh().capabilities_of(u64_of(&node_id, "nodeId")?) else { return Ok(None) };
        Ok(Some(JsNodeCapabilities {
            node_id: BigInt::from(n.node_id),
            entity_id: n.entity_id.as_bytes().to_vec().into(),
            version: BigInt::from(n.version),
            hops: u32::from(n.hops),
            capabilities: n.capabilities.to_json(),
            subnet: to_json(&n.subnet),
            scope: to_json(&n.scope),
        }))
    }

    /// Announcement counters: received, accepted, duplicates, rejections
    /// by kind, evictions, broadcasts, forwards, entries.
    #[napi]
    pub fn capability_stats(&self) -> JsCapabilityStats {
        JsCapabilityStats::from(self.mesh().capability_stats())
    }

    /// This node's configured subnet: JSON `{"levels": [...]}`.
    #[napi]
    pub fn subnet(&self) -> String {
        to_json(&self.mesh().subnet())
    }

    /// The subnet this node derives for `nodeId` (JSON), or null when
    /// nothing is known of it.
    #[napi]
    pub fn peer_subnet(&self, node_id: BigInt) -> Result<Option<String>> {
        Ok(self.mesh().peer_subnet(u64_of(&node_id, "nodeId")?).map(|s| to_json(&s)))
    }

    /// TEST HOOK: send raw bytes on the capability stream to `peer`, as a
    /// (possibly malicious) forwarder would, so tests can watch the peer
    /// refuse and count forged, tampered, replayed and malformed
    /// announcements. Not for applications.
    #[napi]
    pub fn send_capability_bytes(&self, peer: BigInt, bytes: Buffer) -> Result<()> {
        let _runtime = net_sdk::runtime::runtime().enter();
        self.mesh().send_capability_bytes(u64_of(&peer, "peer")?, bytes.to_vec()).map_err(fail)
    }
}
