//! [`CapabilityIndex`]: the verified capability sets a node knows, and
//! the queries over them.
//!
//! Ingest ([`CapabilityIndex::ingest`]) checks, in order: the hop count
//! (`hop_limit`), that the signer derives the origin (`origin_mismatch`),
//! whether the exact announcement is already known (a duplicate: dropped,
//! not an error), the signature (`invalid_signature`), and that the
//! version is newer than every version seen from the origin
//! (`stale_version`: replays of old versions, or a second body under a
//! known version). Each outcome is counted in [`CapabilityStats`].
//! The newest version per origin is remembered for one TTL past the
//! entry's expiry, so a replay cannot resurrect an evicted node.
//!
//! Queries skip expired entries even before [`gc`](CapabilityIndex::gc)
//! removes them. Candidates come from a posting list per tag path (the
//! smallest list among the filter's required paths), else a scan.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use ed25519_dalek::VerifyingKey;
use parking_lot::RwLock;

use super::announcement::CapabilityAnnouncement;
use super::filter::{CapabilityFilter, Facts};
use super::scope::{CapabilityScope, ScopeFilter};
use super::set::CapabilitySet;
use super::CapabilityError;
use crate::identity::{verify_strict_many, EntityId, Signed};
use crate::subnets::{SubnetId, SubnetPolicy};

/// Most links an announcement travels: a node at distance `d` receives
/// hop count `d - 1`; counts of 16 and more are refused, so nodes up to
/// 16 links from the origin learn of it.
pub const MAX_CAPABILITY_HOPS: u8 = 16;

/// Hasher for node ids, which are already uniform (blake3-derived).
#[derive(Default)]
struct NodeIdHasher(u64);

impl Hasher for NodeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type NodeMap<V> = HashMap<u64, V, BuildHasherDefault<NodeIdHasher>>;
type NodeSet = HashSet<u64, BuildHasherDefault<NodeIdHasher>>;

/// Counters of an index (and of the mesh traffic that feeds it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CapabilityStats {
    /// Announcements offered to the index (including malformed bytes).
    pub received: u64,
    /// Accepted: new or newer, verified.
    pub accepted: u64,
    /// Exact duplicates dropped (diamonds, relays).
    pub duplicates: u64,
    /// Bytes that did not decode (`malformed_announcement`, `unsupported_version`, too large).
    pub rejected_malformed: u64,
    /// Bad signatures: tampered or forged (`invalid_signature`).
    pub rejected_signature: u64,
    /// Signer does not derive the claimed origin: forged (`origin_mismatch`).
    pub rejected_origin: u64,
    /// Replays of old versions, or equivocation (`stale_version`).
    pub rejected_stale: u64,
    /// Over the hop limit (`hop_limit`).
    pub rejected_hops: u64,
    /// Entries removed because their TTL passed.
    pub evicted: u64,
    /// Announcements this node broadcast as origin.
    pub broadcasts: u64,
    /// Messages this node sent forwarding or relaying others' announcements.
    pub forwarded: u64,
    /// Nodes in the index now (this node included once it announced).
    pub entries: u64,
}

impl CapabilityStats {
    /// All rejections together.
    pub fn rejected(&self) -> u64 {
        self.rejected_malformed + self.rejected_signature + self.rejected_origin + self.rejected_stale + self.rejected_hops
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    received: AtomicU64,
    accepted: AtomicU64,
    duplicates: AtomicU64,
    malformed: AtomicU64,
    signature: AtomicU64,
    origin: AtomicU64,
    stale: AtomicU64,
    hops: AtomicU64,
    evicted: AtomicU64,
    pub broadcasts: AtomicU64,
    pub forwarded: AtomicU64,
}

/// What ingesting an announcement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Stored: the first from its origin, or newer than the one before.
    Accepted,
    /// Already known; nothing changed (and nothing should be forwarded).
    Duplicate,
}

/// One node as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedNode {
    /// Its node id.
    pub node_id: u64,
    /// Its entity id (the announcement's verified signer).
    pub entity_id: EntityId,
    /// The version of its announcement (0 for this node's own entry).
    pub version: u64,
    /// Links away (0 for this node, 1 for a direct peer's own announcement).
    pub hops: u8,
    /// Its capabilities.
    pub capabilities: CapabilitySet,
    /// Its subnet as the policy derives it (this node: its configured one).
    pub subnet: SubnetId,
    /// Its resolved scope.
    pub scope: CapabilityScope,
}

struct Entry {
    node: IndexedNode,
    facts: Facts,
    expires_at: u64,
    /// The announcement as received (None for this node's own entry).
    announcement: Option<Arc<CapabilityAnnouncement>>,
}

struct Seen {
    version: u64,
    digest: [u8; 32],
    forget_at: u64,
    /// The origin's key, decompressed: its next announcement is decoded
    /// without decompressing it again (see [`CapabilityIndex::decode`]).
    key: VerifyingKey,
}

#[derive(Default)]
struct Inner {
    entries: Vec<Entry>,
    pos: NodeMap<usize>,
    postings: HashMap<String, NodeSet>,
    seen: NodeMap<Seen>,
}

impl Inner {
    fn remove(&mut self, node: u64) -> Option<Entry> {
        let at = self.pos.remove(&node)?;
        let entry = self.entries.swap_remove(at);
        if let Some(moved) = self.entries.get(at) {
            self.pos.insert(moved.node.node_id, at);
        }
        for t in entry.node.capabilities.tags() {
            if let Some(set) = self.postings.get_mut(t.path()) {
                set.remove(&node);
                if set.is_empty() {
                    self.postings.remove(t.path());
                }
            }
        }
        Some(entry)
    }

    fn put(&mut self, entry: Entry) {
        let node = entry.node.node_id;
        self.remove(node);
        for t in entry.node.capabilities.tags() {
            // Look up before inserting: `entry` would allocate the key
            // even when the posting list exists (the common case).
            match self.postings.get_mut(t.path()) {
                Some(set) => {
                    set.insert(node);
                }
                None => {
                    self.postings.entry(t.path().to_owned()).or_default().insert(node);
                }
            }
        }
        self.pos.insert(node, self.entries.len());
        self.entries.push(entry);
    }
}

/// The version stored for `a`'s origin, and whether it is `a` itself
/// (`digest` is `a.digest()`).
fn known(inner: &Inner, a: &CapabilityAnnouncement, digest: &[u8; 32]) -> Option<(u64, bool)> {
    inner.seen.get(&a.origin()).map(|s| (s.version, s.digest == *digest))
}

/// The verified capability sets a node knows (see the module doc).
pub struct CapabilityIndex {
    inner: RwLock<Inner>,
    policy: Option<Arc<SubnetPolicy>>,
    pub(crate) counters: Counters,
}

impl Default for CapabilityIndex {
    fn default() -> Self {
        Self::new(None)
    }
}

impl CapabilityIndex {
    /// An empty index deriving peers' subnets with `policy` (all in the
    /// root subnet without one).
    pub fn new(policy: Option<Arc<SubnetPolicy>>) -> Self {
        Self { inner: RwLock::new(Inner::default()), policy, counters: Counters::default() }
    }

    /// The subnet policy.
    pub fn policy(&self) -> Option<&Arc<SubnetPolicy>> {
        self.policy.as_ref()
    }

    /// The subnet the policy gives `caps`.
    pub fn subnet_of(&self, caps: &CapabilitySet) -> SubnetId {
        self.policy.as_ref().map_or(SubnetId::ROOT, |p| p.assign(caps))
    }

    /// Decode, verify and store a wire message received at `now` (clock
    /// nanos). See [`ingest`](Self::ingest).
    pub fn ingest_bytes(&self, bytes: &[u8], now: u64) -> Result<(IngestOutcome, Option<CapabilityAnnouncement>), CapabilityError> {
        let announcement = match self.decode(bytes) {
            Ok(a) => a,
            Err(e) => {
                self.counters.received.fetch_add(1, Relaxed);
                self.counters.malformed.fetch_add(1, Relaxed);
                return Err(e);
            }
        };
        let outcome = self.ingest(&announcement, now)?;
        Ok((outcome, Some(announcement)))
    }

    /// [`CapabilityAnnouncement::from_bytes`], reusing the decompressed key
    /// of an origin this index has seen when the message names the same
    /// entity (nothing is counted: decoding is not ingesting).
    pub fn decode(&self, bytes: &[u8]) -> Result<CapabilityAnnouncement, CapabilityError> {
        CapabilityAnnouncement::from_bytes_with(bytes, |origin| self.inner.read().seen.get(&origin).map(|s| s.key))
    }

    /// Verify and store an announcement received at `now` (clock nanos):
    /// see the module doc for the checks. Every call is counted.
    pub fn ingest(&self, a: &CapabilityAnnouncement, now: u64) -> Result<IngestOutcome, CapabilityError> {
        let mut verdicts = self.ingest_batch(std::slice::from_ref(a), now);
        verdicts.pop().expect("one verdict per announcement")
    }

    /// [`ingest`](Self::ingest) for many announcements at once, in order:
    /// one verdict each, as if ingested one after another, but with their
    /// signatures checked together (about twice as fast per signature in a
    /// burst; see `identity::batch`).
    pub fn ingest_batch(&self, batch: &[CapabilityAnnouncement], now: u64) -> Vec<Result<IngestOutcome, CapabilityError>> {
        let digests: Vec<[u8; 32]> = batch.iter().map(CapabilityAnnouncement::digest).collect();
        let mut verdicts: Vec<Option<Result<IngestOutcome, CapabilityError>>> =
            batch.iter().zip(&digests).map(|(a, digest)| self.precheck(a, digest).transpose()).collect();
        let unsigned: Vec<usize> = (0..batch.len()).filter(|&i| verdicts[i].is_none()).collect();
        let items: Vec<Signed<'_>> = unsigned
            .iter()
            .map(|&i| Signed { key: batch[i].verifying_key(), message: batch[i].signed_message(), signature: batch[i].signature() })
            .collect();
        for (&i, valid) in unsigned.iter().zip(verify_strict_many(&items)) {
            verdicts[i] = Some(if valid { self.store(&batch[i], &digests[i], now) } else { Err(CapabilityError::InvalidSignature) });
        }
        verdicts.into_iter().map(|v| self.count(v.expect("every announcement judged"))).collect()
    }

    fn count(&self, result: Result<IngestOutcome, CapabilityError>) -> Result<IngestOutcome, CapabilityError> {
        let c = &self.counters;
        c.received.fetch_add(1, Relaxed);
        let counter = match &result {
            Ok(IngestOutcome::Accepted) => &c.accepted,
            Ok(IngestOutcome::Duplicate) => &c.duplicates,
            Err(CapabilityError::HopLimit(_)) => &c.hops,
            Err(CapabilityError::OriginMismatch { .. }) => &c.origin,
            Err(CapabilityError::InvalidSignature) => &c.signature,
            Err(CapabilityError::StaleVersion { .. }) => &c.stale,
            Err(_) => &c.malformed,
        };
        counter.fetch_add(1, Relaxed);
        result
    }

    /// The checks that need no signature: `Ok(None)` means the signature
    /// decides.
    fn precheck(&self, a: &CapabilityAnnouncement, digest: &[u8; 32]) -> Result<Option<IngestOutcome>, CapabilityError> {
        if a.hop_count >= MAX_CAPABILITY_HOPS {
            return Err(CapabilityError::HopLimit(a.hop_count));
        }
        let derived = a.entity_id().node_id();
        if derived != a.origin() {
            return Err(CapabilityError::OriginMismatch { origin: a.origin(), derived });
        }
        if known(&self.inner.read(), a, digest) == Some((a.version(), true)) {
            return Ok(Some(IngestOutcome::Duplicate));
        }
        Ok(None)
    }

    /// Store a verified announcement (unless a copy or a newer version got
    /// there first).
    fn store(&self, a: &CapabilityAnnouncement, digest: &[u8; 32], now: u64) -> Result<IngestOutcome, CapabilityError> {
        let caps = a.capabilities().clone();
        let facts = Facts::of(&caps);
        let subnet = self.subnet_of(&caps);
        let scope = caps.scope();
        let ttl = a.ttl().as_nanos() as u64;
        let mut inner = self.inner.write();
        match known(&inner, a, digest) {
            Some((v, true)) if v == a.version() => return Ok(IngestOutcome::Duplicate),
            Some((v, _)) if v >= a.version() => {
                return Err(CapabilityError::StaleVersion { origin: a.origin(), got: a.version(), known: v })
            }
            _ => {}
        }
        let expires_at = now.saturating_add(ttl);
        inner.seen.insert(a.origin(), Seen { version: a.version(), digest: *digest, forget_at: expires_at.saturating_add(ttl), key: *a.verifying_key() });
        let node = IndexedNode {
            node_id: a.origin(),
            entity_id: *a.entity_id(),
            version: a.version(),
            hops: a.hop_count.saturating_add(1),
            capabilities: caps,
            subnet,
            scope,
        };
        inner.put(Entry { node, facts, expires_at, announcement: Some(Arc::new(a.clone())) });
        Ok(IngestOutcome::Accepted)
    }

    /// Store this node's own set (never expires, never relayed from here;
    /// its subnet is the configured one).
    pub fn set_local(&self, node_id: u64, entity_id: EntityId, caps: CapabilitySet, subnet: SubnetId) {
        let facts = Facts::of(&caps);
        let scope = caps.scope();
        let node = IndexedNode { node_id, entity_id, version: 0, hops: 0, capabilities: caps, subnet, scope };
        self.inner.write().put(Entry { node, facts, expires_at: u64::MAX, announcement: None });
    }

    /// Remove entries whose TTL passed by `now`; returns how many.
    pub fn gc(&self, now: u64) -> usize {
        let mut inner = self.inner.write();
        let expired: Vec<u64> = inner.entries.iter().filter(|e| e.expires_at <= now).map(|e| e.node.node_id).collect();
        for node in &expired {
            inner.remove(*node);
        }
        inner.seen.retain(|_, s| s.forget_at > now);
        self.counters.evicted.fetch_add(expired.len() as u64, Relaxed);
        expired.len()
    }

    /// Nodes matching `filter`, visible under `scope` to a querier in
    /// `my_subnet`, not expired at `now`; sorted by node id.
    pub fn find(&self, filter: &CapabilityFilter, scope: &ScopeFilter<'_>, my_subnet: SubnetId, now: u64) -> Vec<u64> {
        self.find_with(filter, Some(scope), my_subnet, now)
    }

    /// [`find`](Self::find), without any scope filtering when `scope` is `None`.
    pub fn find_with(&self, filter: &CapabilityFilter, scope: Option<&ScopeFilter<'_>>, my_subnet: SubnetId, now: u64) -> Vec<u64> {
        let mut out = Vec::new();
        self.for_each_match(filter, scope, my_subnet, now, |e| out.push(e.node.node_id));
        out.sort_unstable();
        out
    }

    /// The best match: most GPU memory, then memory, then CPU threads,
    /// then fewest hops, then lowest node id.
    pub fn find_best(&self, filter: &CapabilityFilter, scope: &ScopeFilter<'_>, my_subnet: SubnetId, now: u64) -> Option<u64> {
        type Rank = (u64, u64, u32, std::cmp::Reverse<u8>, std::cmp::Reverse<u64>);
        let mut best: Option<(Rank, u64)> = None;
        self.for_each_match(filter, Some(scope), my_subnet, now, |e| {
            let f = &e.facts;
            let key = (f.vram_mb, f.memory_gb, f.cpu_threads, std::cmp::Reverse(e.node.hops), std::cmp::Reverse(e.node.node_id));
            if best.as_ref().is_none_or(|(b, _)| key > *b) {
                best = Some((key, e.node.node_id));
            }
        });
        best.map(|(_, id)| id)
    }

    fn for_each_match(
        &self,
        filter: &CapabilityFilter,
        scope: Option<&ScopeFilter<'_>>,
        my_subnet: SubnetId,
        now: u64,
        mut hit: impl FnMut(&Entry),
    ) {
        let inner = self.inner.read();
        let mut check = |e: &Entry| {
            let visible = scope.is_none_or(|s| s.admits(&e.node.scope, e.node.subnet == my_subnet));
            if e.expires_at > now && visible && filter.matches_facts(&e.facts, &e.node.capabilities) {
                hit(e);
            }
        };
        let paths = filter.required_paths();
        if paths.is_empty() {
            inner.entries.iter().for_each(check);
            return;
        }
        let mut smallest: Option<&NodeSet> = None;
        for p in &paths {
            match inner.postings.get(p.as_str()) {
                None => return,
                Some(set) if smallest.is_none_or(|s| set.len() < s.len()) => smallest = Some(set),
                Some(_) => {}
            }
        }
        for node in smallest.into_iter().flatten() {
            if let Some(&at) = inner.pos.get(node) {
                check(&inner.entries[at]);
            }
        }
    }

    /// The entry of `node_id`, if known (expired or not).
    pub fn get(&self, node_id: u64) -> Option<IndexedNode> {
        let inner = self.inner.read();
        inner.pos.get(&node_id).map(|&at| inner.entries[at].node.clone())
    }

    /// Every known node id, sorted.
    pub fn node_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.inner.read().pos.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Entries now.
    pub fn len(&self) -> usize {
        self.inner.read().entries.len()
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stored announcements of other nodes, except `except`'s own (for
    /// a peer that just connected), each with the hop count it arrived with.
    pub(crate) fn relayable(&self, except: u64, now: u64) -> Vec<Arc<CapabilityAnnouncement>> {
        self.inner
            .read()
            .entries
            .iter()
            .filter(|e| e.node.node_id != except && e.expires_at > now)
            .filter_map(|e| e.announcement.clone())
            .collect()
    }

    /// The counters.
    pub fn stats(&self) -> CapabilityStats {
        let c = &self.counters;
        CapabilityStats {
            received: c.received.load(Relaxed),
            accepted: c.accepted.load(Relaxed),
            duplicates: c.duplicates.load(Relaxed),
            rejected_malformed: c.malformed.load(Relaxed),
            rejected_signature: c.signature.load(Relaxed),
            rejected_origin: c.origin.load(Relaxed),
            rejected_stale: c.stale.load(Relaxed),
            rejected_hops: c.hops.load(Relaxed),
            evicted: c.evicted.load(Relaxed),
            broadcasts: c.broadcasts.load(Relaxed),
            forwarded: c.forwarded.load(Relaxed),
            entries: self.len() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::identity::Identity;

    const S: u64 = 1_000_000_000;

    fn ann(seed: u8, version: u64, caps: CapabilitySet) -> CapabilityAnnouncement {
        CapabilityAnnouncement::sign(&Identity::from_seed([seed; 32]), caps, version, Duration::from_secs(10)).unwrap()
    }

    #[test]
    fn ingest_dedups_rejects_and_counts() {
        let idx = CapabilityIndex::default();
        let a2 = ann(1, 2, CapabilitySet::new().add_tag("gpu"));
        assert_eq!(idx.ingest(&a2, 0), Ok(IngestOutcome::Accepted));
        assert_eq!(idx.ingest(&a2.clone().with_hop_count(4), 0), Ok(IngestOutcome::Duplicate));
        let a1 = ann(1, 1, CapabilitySet::new());
        assert!(matches!(idx.ingest(&a1, 0), Err(CapabilityError::StaleVersion { known: 2, .. })));
        let other_body = ann(1, 2, CapabilitySet::new().add_tag("cpu"));
        assert!(matches!(idx.ingest(&other_body, 0), Err(CapabilityError::StaleVersion { .. })));
        let mut wire = ann(1, 3, CapabilitySet::new().add_tag("gpu")).to_bytes();
        let at = wire.windows(3).position(|w| w == b"gpu").unwrap();
        wire[at] = b'h';
        assert_eq!(idx.ingest_bytes(&wire, 0).unwrap_err(), CapabilityError::InvalidSignature);
        assert!(idx.ingest_bytes(&wire[..20], 0).is_err());
        assert!(matches!(idx.ingest(&ann(2, 1, CapabilitySet::new()).with_hop_count(16), 0), Err(CapabilityError::HopLimit(16))));
        let s = idx.stats();
        assert_eq!(
            (s.received, s.accepted, s.duplicates, s.rejected_stale, s.rejected_signature, s.rejected_malformed, s.rejected_hops),
            (7, 1, 1, 2, 1, 1, 1)
        );
        assert_eq!(idx.get(a2.origin()).unwrap().hops, 1);
    }

    #[test]
    fn ttl_evicts_and_remembers_versions() {
        let idx = CapabilityIndex::default();
        let a = ann(3, 5, CapabilitySet::new().add_tag("x"));
        idx.ingest(&a, 0).unwrap();
        let f = CapabilityFilter::new().require_tag("x");
        assert_eq!(idx.find(&f, &ScopeFilter::Any, SubnetId::ROOT, 9 * S), vec![a.origin()]);
        assert!(idx.find(&f, &ScopeFilter::Any, SubnetId::ROOT, 10 * S).is_empty());
        assert_eq!(idx.gc(10 * S), 1);
        assert!(idx.is_empty());
        assert_eq!(idx.stats().evicted, 1);
        // A replay after eviction is still known as seen.
        assert_eq!(idx.ingest(&a, 11 * S), Ok(IngestOutcome::Duplicate));
        assert!(idx.is_empty());
        assert_eq!(idx.ingest(&ann(3, 6, CapabilitySet::new()), 11 * S), Ok(IngestOutcome::Accepted));
    }
    /// A burst judged as one batch gets, item for item, the verdicts and
    /// counters of the same messages ingested one after another, bad ones
    /// mixed in included.
    #[test]
    fn a_batch_judges_like_one_by_one() {
        let mut burst: Vec<CapabilityAnnouncement> = (10..40).map(|seed| ann(seed, 3, CapabilitySet::new().add_tag("gpu"))).collect();
        burst.push(burst[4].clone().with_hop_count(2)); // a copy by another path
        burst.push(ann(11, 2, CapabilitySet::new())); // older than one in the batch
        burst.push(ann(50, 1, CapabilitySet::new()).with_hop_count(MAX_CAPABILITY_HOPS)); // too far
        let mut wire = ann(51, 1, CapabilitySet::new().add_tag("gpu")).to_bytes();
        let at = wire.windows(3).position(|w| w == b"gpu").unwrap();
        wire[at] = b'h';
        let forged = CapabilityIndex::default().decode(&wire).unwrap();
        burst.insert(7, forged);
        burst.push(ann(52, 9, CapabilitySet::new())); // honest, after the forgery
        let batch = CapabilityIndex::default();
        let one_by_one = CapabilityIndex::default();
        let together = batch.ingest_batch(&burst, 0);
        let apart: Vec<_> = burst.iter().map(|a| one_by_one.ingest(a, 0)).collect();
        assert_eq!(together, apart);
        assert_eq!(together[7], Err(CapabilityError::InvalidSignature));
        assert_eq!(together.iter().filter(|v| **v == Ok(IngestOutcome::Accepted)).count(), 31);
        let (b, o) = (batch.stats(), one_by_one.stats());
        assert_eq!(
            (b.received, b.accepted, b.duplicates, b.rejected_stale, b.rejected_signature, b.rejected_hops),
            (o.received, o.accepted, o.duplicates, o.rejected_stale, o.rejected_signature, o.rejected_hops)
        );
        assert_eq!((b.received, b.duplicates, b.rejected_stale, b.rejected_signature, b.rejected_hops), (35, 1, 1, 1, 1));
        assert!(batch.ingest_batch(&[], 0).is_empty());
    }
}
