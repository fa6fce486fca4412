//! Capability announcements between real mesh nodes on 127.0.0.1:
//! multi-hop propagation, dedup, TTL expiry, rejection of forged /
//! tampered / replayed / malformed announcements, scoped queries, subnet
//! derivation and origin-side coalescing. Nothing asserts speed: every
//! wait is for a condition, with a generous deadline.

use std::sync::Arc;
use std::time::Duration;

use net_sdk::capabilities::{
    CapabilityAnnouncement, CapabilityFilter, CapabilitySet, GpuInfo, GpuVendor, HardwareCapabilities, ScopeFilter,
    MAX_CAPABILITY_HOPS,
};
use net_sdk::mesh::{Mesh, MeshBuilder, StreamConfig, CAPABILITY_STREAM};
use net_sdk::subnets::{SubnetId, SubnetPolicy, SubnetRule};
use net_sdk::Identity;

const PSK: [u8; 32] = [0x42; 32];
const DEADLINE: Duration = Duration::from_secs(30);

fn builder(seed: u8) -> MeshBuilder {
    MeshBuilder::new("127.0.0.1:0", &PSK)
        .unwrap()
        .identity(Identity::from_seed([seed; 32]))
        .min_announce_interval(Duration::from_millis(20))
}

async fn start(b: MeshBuilder) -> Mesh {
    let m = b.build().await.unwrap();
    m.start().unwrap();
    m
}

async fn link(a: &Mesh, b: &Mesh) {
    let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
    ra.unwrap();
    rb.unwrap();
}

/// Wait until `cond` holds, failing with `what` at the deadline.
async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let end = tokio::time::Instant::now() + DEADLINE;
    while !cond() {
        assert!(tokio::time::Instant::now() < end, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn gpu_caps() -> CapabilitySet {
    let hw = HardwareCapabilities::new().with_cpu(16, 32).with_memory(64).with_gpu(GpuInfo::new(GpuVendor::Nvidia, "RTX 4090", 24));
    CapabilitySet::new().with_hardware(hw).add_tag("gpu")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_match_and_line_a_b_c_finds_a_through_b() {
    let (a, b, c) = (start(builder(1)).await, start(builder(2)).await, start(builder(3)).await);
    link(&a, &b).await;
    a.announce_capabilities(gpu_caps()).await.unwrap();
    let gpu16 = CapabilityFilter::new().require_gpu().with_min_vram(16);
    assert_eq!(a.find_nodes(&gpu16), vec![a.node_id()], "self-match");
    wait_for("B learns A", || b.find_nodes(&gpu16) == vec![a.node_id()]).await;
    // C joins later: B relays A's announcement on session open.
    link(&b, &c).await;
    wait_for("C finds A through B", || c.find_nodes(&gpu16) == vec![a.node_id()]).await;
    let seen = c.capabilities_of(a.node_id()).unwrap();
    assert_eq!((seen.hops, seen.entity_id), (2, *a.entity_id()));
    // A new version travels A -> B -> C by forwarding.
    a.announce_capabilities(gpu_caps().add_tag("v2")).await.unwrap();
    let v2 = CapabilityFilter::new().require_tag("v2");
    wait_for("C sees A's second version", || c.find_nodes(&v2) == vec![a.node_id()]).await;
    wait_for("C counted both versions", || c.capability_stats().accepted >= 2).await;
    assert_eq!(c.capability_stats().rejected(), 0);
    for m in [a, b, c] {
        m.shutdown().await.unwrap();
    }
}

/// Every copy a node sent has arrived somewhere: the diamond is quiet.
/// Each send goes over a reliable stream, so the copies received by B, C
/// and D together are A's two plus every one they forwarded.
fn settled(origin: &Mesh, others: &[&Mesh]) -> bool {
    let (received, forwarded) = others.iter().map(|m| m.capability_stats()).fold((0, 0), |(r, f), s| (r + s.received, f + s.forwarded));
    received == 2 * origin.capability_stats().broadcasts + forwarded
}

// A–B, A–C, B–D, C–D. Each node accepts each version exactly once and
// forwards only what it accepted, to every peer but the sender and the
// origin, so a version dies out after one round. How many duplicates that
// round makes depends on the interleaving: 2 when A's direct copies arrive
// first (D gets B's and C's; B or C gets D's), 1 when D's copy overtakes
// A's direct one at C (C then forwards to nobody: D sent it, A made it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diamond_delivers_each_version_once() {
    let n: Vec<Mesh> = futures::future::join_all((10..14).map(|s| start(builder(s)))).await;
    let (a, b, c, d) = (&n[0], &n[1], &n[2], &n[3]);
    link(a, b).await;
    link(a, c).await;
    link(b, d).await;
    link(c, d).await;
    let others = [b, c, d];
    for (round, tag) in [(1u64, "one"), (2, "two")] {
        a.announce_capabilities(CapabilitySet::new().add_tag(tag)).await.unwrap();
        wait_for("every node accepted the version", || others.iter().all(|m| m.capability_stats().accepted == round)).await;
        // At least one duplicate per round: D accepts one of B's and C's
        // copies, and whichever of B and C it did not send back to has
        // A's direct copy too.
        let duplicates = || others.iter().map(|m| m.capability_stats().duplicates).sum::<u64>();
        wait_for("a duplicate dropped and every copy sent arrived", || duplicates() >= round && settled(a, &others)).await;
        let duplicates = duplicates();
        assert!((round..=2 * round).contains(&duplicates), "round {round}: {duplicates} duplicates");
        for m in others {
            let s = m.capability_stats();
            assert_eq!((s.accepted, s.rejected()), (round, 0), "{s:?}");
        }
        assert_eq!(a.capability_stats().received, 0, "no copy returns to its origin");
        assert_eq!(d.find_nodes(&CapabilityFilter::new().require_tag(tag)), vec![a.node_id()]);
        tokio::time::sleep(Duration::from_millis(30)).await; // past min_announce_interval
    }
    for m in &n {
        m.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ttl_expiry_removes_a_silent_node() {
    let a = start(builder(20).capability_ttl(Duration::from_secs(1))).await;
    let b = start(builder(21).capability_gc_interval(Duration::from_millis(50))).await;
    link(&a, &b).await;
    a.announce_capabilities(CapabilitySet::new().add_tag("ephemeral")).await.unwrap();
    let f = CapabilityFilter::new().require_tag("ephemeral");
    wait_for("B learns A", || b.find_nodes(&f) == vec![a.node_id()]).await;
    a.shutdown().await.unwrap();
    wait_for("B evicts silent A", || b.capabilities_of(a.node_id()).is_none()).await;
    assert!(b.find_nodes(&f).is_empty());
    assert_eq!(b.capability_stats().evicted, 1);
    b.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_node_refreshes_before_its_ttl() {
    let a = start(builder(22).capability_ttl(Duration::from_secs(1))).await;
    let b = start(builder(23).capability_gc_interval(Duration::from_millis(50))).await;
    link(&a, &b).await;
    a.announce_capabilities(CapabilitySet::new().add_tag("alive")).await.unwrap();
    wait_for("A re-announces twice", || a.capability_stats().broadcasts >= 3).await;
    wait_for("B accepted the refreshes", || b.capability_stats().accepted >= 3).await;
    assert_eq!(b.find_nodes(&CapabilityFilter::new().require_tag("alive")), vec![a.node_id()]);
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

/// Replace the origin (bytes 7..15 of the wire message).
fn with_origin(mut wire: Vec<u8>, origin: u64) -> Vec<u8> {
    wire[7..15].copy_from_slice(&origin.to_le_bytes());
    wire
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_tampered_replayed_and_malformed_announcements_are_refused_and_counted() {
    let mallory = start(builder(30)).await;
    let b = start(builder(31)).await;
    link(&mallory, &b).await;
    let victim = Identity::from_seed([32; 32]);
    let sign = |who: &Identity, v: u64, tag: &str| {
        CapabilityAnnouncement::sign(who, CapabilitySet::new().add_tag(tag), v, Duration::from_secs(60)).unwrap().to_bytes()
    };
    let m = Identity::from_seed([30; 32]);
    // Forged: Mallory's signature, the victim's origin id.
    mallory.send_capability_bytes(b.node_id(), with_origin(sign(&m, 1, "evil"), victim.node_id())).unwrap();
    // Forged: the victim's entity id and origin, Mallory's signature.
    let mut wire = with_origin(sign(&m, 1, "evil"), victim.node_id());
    wire[15..47].copy_from_slice(victim.entity_id().as_bytes());
    mallory.send_capability_bytes(b.node_id(), wire).unwrap();
    // Genuine version 5 from the victim, relayed by Mallory: accepted.
    mallory.send_capability_bytes(b.node_id(), sign(&victim, 5, "real")).unwrap();
    // Tampered in transit: one tag byte changed.
    let mut tampered = sign(&victim, 6, "real");
    let at = tampered.windows(4).position(|w| w == b"real").unwrap();
    tampered[at] = b'f';
    mallory.send_capability_bytes(b.node_id(), tampered).unwrap();
    // Replayed: a genuine but older version, and a duplicate of version 5.
    mallory.send_capability_bytes(b.node_id(), sign(&victim, 4, "old")).unwrap();
    mallory.send_capability_bytes(b.node_id(), sign(&victim, 5, "real")).unwrap();
    // Malformed bytes never stop the receiver.
    mallory.send_capability_bytes(b.node_id(), vec![0xde, 0xad, 0xbe, 0xef]).unwrap();
    mallory.send_capability_bytes(b.node_id(), vec![]).unwrap();
    // Over the hop limit.
    let mut far = sign(&victim, 7, "far");
    far[1] = MAX_CAPABILITY_HOPS;
    mallory.send_capability_bytes(b.node_id(), far).unwrap();
    // And Mallory's own honest announcement still gets through afterwards.
    mallory.announce_capabilities(CapabilitySet::new().add_tag("honest")).await.unwrap();
    // Mallory's honest announcement can reach B twice (its announce, and
    // the copy a newly confirmed session is sent), so wait for the final
    // verdicts rather than a count of messages.
    wait_for("B judged every announcement", || {
        let s = b.capability_stats();
        s.accepted == 2 && s.rejected() == 7 && s.duplicates >= 1
    })
    .await;
    let s = b.capability_stats();
    assert_eq!(
        (s.accepted, s.rejected_origin, s.rejected_signature, s.rejected_stale, s.rejected_malformed, s.rejected_hops),
        (2, 1, 2, 1, 2, 1),
        "{s:?}"
    );
    assert_eq!(b.find_nodes(&CapabilityFilter::new().require_tag("real")), vec![victim.node_id()]);
    assert!(b.find_nodes(&CapabilityFilter::new().require_tag("evil")).is_empty());
    assert!(b.find_nodes(&CapabilityFilter::new().require_tag("old")).is_empty());
    assert_eq!(b.find_nodes(&CapabilityFilter::new().require_tag("honest")), vec![mallory.node_id()]);
    assert_eq!(b.stats().receive_panics + b.stats().maintenance_panics, 0);
    mallory.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoped_queries_cover_every_filter_kind() {
    let policy = Arc::new(SubnetPolicy::new().add_rule(SubnetRule::new("zone:", 0).map("a", 1).map("b", 2)));
    let node = |seed: u8, subnet: &[u8]| builder(seed).subnet(SubnetId::new(subnet)).subnet_policy(policy.clone());
    let q = start(node(40, &[1])).await;
    let others = futures::future::join_all([41, 42, 43, 44, 45].map(|s| start(node(s, &[])))).await;
    for o in &others {
        link(&q, o).await;
    }
    let (g, t, r, l, l2) = (&others[0], &others[1], &others[2], &others[3], &others[4]);
    let svc = || CapabilitySet::new().add_tag("svc");
    let mem = |gb| HardwareCapabilities::new().with_memory(gb);
    q.announce_capabilities(svc().add_tag("zone:a")).await.unwrap();
    g.announce_capabilities(svc()).await.unwrap();
    t.announce_capabilities(svc().add_tag("zone:a").with_tenant_scope("a").with_hardware(mem(128))).await.unwrap();
    r.announce_capabilities(svc().add_tag("zone:b").with_region_scope("eu").with_hardware(mem(256))).await.unwrap();
    l.announce_capabilities(svc().add_tag("zone:a").with_subnet_local_scope()).await.unwrap();
    l2.announce_capabilities(svc().add_tag("zone:b").with_subnet_local_scope()).await.unwrap();
    let f = CapabilityFilter::new().require_tag("svc");
    wait_for("Q knows all six", || q.find_nodes(&f).len() == 6).await;
    let ids = |ms: &[&Mesh]| {
        let mut v: Vec<u64> = ms.iter().map(|m| m.node_id()).collect();
        v.sort_unstable();
        v
    };
    let cases: Vec<(ScopeFilter, Vec<u64>)> = vec![
        (ScopeFilter::Any, ids(&[&q, g, t, r])),
        (ScopeFilter::GlobalOnly, ids(&[&q, g])),
        (ScopeFilter::SameSubnet, ids(&[&q, t, l])),
        (ScopeFilter::Tenant("a"), ids(&[&q, g, t])),
        (ScopeFilter::Tenant("z"), ids(&[&q, g])),
        (ScopeFilter::Tenants(vec!["b", "a"]), ids(&[&q, g, t])),
        (ScopeFilter::Region("eu"), ids(&[&q, g, r])),
        (ScopeFilter::Regions(vec!["us", "eu"]), ids(&[&q, g, r])),
        (ScopeFilter::Regions(vec!["us"]), ids(&[&q, g])),
    ];
    for (scope, want) in &cases {
        assert_eq!(&q.find_nodes_scoped(&f, scope), want, "{scope:?}");
    }
    assert_eq!(q.find_nodes(&f), ids(&[&q, g, t, r, l, l2]));
    assert_eq!(q.find_best_node_scoped(&f, &ScopeFilter::Any), Some(r.node_id()));
    assert_eq!(q.find_best_node_scoped(&f, &ScopeFilter::Tenant("a")), Some(t.node_id()));
    assert_eq!(q.find_best_node_scoped(&CapabilityFilter::new().require_tag("none"), &ScopeFilter::Any), None);
    assert_eq!(q.peer_subnet(l2.node_id()), Some(SubnetId::new(&[2])));
    q.shutdown().await.unwrap();
    for o in others {
        o.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subnet_derivation_agrees_on_every_node() {
    let policy = Arc::new(
        SubnetPolicy::new()
            .add_rule(SubnetRule::new("region:", 0).map("us", 3).map("eu", 4))
            .add_rule(SubnetRule::new("fleet:", 1).map("blue", 7).map("green", 8)),
    );
    let spec: [(u8, [u8; 2], [&str; 2]); 3] =
        [(50, [3, 7], ["region:us", "fleet:blue"]), (51, [4, 8], ["region:eu", "fleet:green"]), (52, [3, 8], ["region:us", "fleet:green"])];
    let mut nodes = Vec::new();
    for (seed, subnet, _) in &spec {
        nodes.push(start(builder(*seed).subnet(SubnetId::new(subnet)).subnet_policy(policy.clone())).await);
    }
    link(&nodes[0], &nodes[1]).await;
    link(&nodes[1], &nodes[2]).await;
    for (n, (_, _, tags)) in nodes.iter().zip(&spec) {
        n.announce_capabilities(CapabilitySet::new().add_tag(tags[0]).add_tag(tags[1])).await.unwrap();
    }
    wait_for("everyone knows everyone", || nodes.iter().all(|n| n.capability_index().len() == 3)).await;
    for observer in &nodes {
        for (x, (_, subnet, _)) in nodes.iter().zip(&spec) {
            assert_eq!(observer.peer_subnet(x.node_id()), Some(SubnetId::new(subnet)), "{:#x} about {:#x}", observer.node_id(), x.node_id());
            assert_eq!(x.subnet(), SubnetId::new(subnet));
        }
    }
    for n in nodes {
        n.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_announces_coalesces_into_one_broadcast() {
    let interval = Duration::from_secs(4);
    let a = start(builder(60).min_announce_interval(interval)).await;
    let b = start(builder(61)).await;
    link(&a, &b).await;
    a.announce_capabilities(CapabilitySet::new().add_tag("n=start")).await.unwrap();
    assert_eq!(a.capability_stats().broadcasts, 1, "the first announce after a quiet spell goes out at once");
    let burst = std::time::Instant::now();
    for i in 0..1000 {
        a.announce_capabilities(CapabilitySet::new().add_tag(format!("n={i}"))).await.unwrap();
    }
    // One flush is due per interval the burst outlasted: none on an
    // unloaded machine (a burst takes milliseconds), more on a starved one.
    let windows = (burst.elapsed().as_nanos() / interval.as_nanos()) as u64;
    // The local index has the latest set at once.
    assert_eq!(a.find_nodes(&CapabilityFilter::new().require_tag("n=999")), vec![a.node_id()]);
    let last = CapabilityFilter::new().require_tag("n=999");
    wait_for("B receives the coalesced set", || b.find_nodes(&last) == vec![a.node_id()]).await;
    // B may get the latest set before the flush: when A's task handles
    // B's arrival after the burst began, it sends B the set as it stands
    // then (a push to a new peer, not a broadcast).
    let broadcasts = a.capability_stats().broadcasts;
    assert!((1..=2 + windows).contains(&broadcasts), "1000 announces over {windows} flush intervals: {broadcasts} broadcasts");
    let accepted = b.capability_stats().accepted;
    assert!((2..=broadcasts + 1).contains(&accepted), "B accepted {accepted} versions of {broadcasts} broadcasts and the arrival push");
    assert!(b.find_nodes(&CapabilityFilter::new().require_tag("n=998")).is_empty());
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announcements_stop_after_max_hops() {
    let n = usize::from(MAX_CAPABILITY_HOPS) + 2;
    let chain: Vec<Mesh> = futures::future::join_all((0..n).map(|i| start(builder(100 + i as u8)))).await;
    for w in chain.windows(2) {
        link(&w[0], &w[1]).await;
    }
    chain[0].announce_capabilities(CapabilitySet::new().add_tag("head")).await.unwrap();
    let head = CapabilityFilter::new().require_tag("head");
    let at_limit = &chain[usize::from(MAX_CAPABILITY_HOPS)];
    wait_for("the node 16 links away learns the head", || at_limit.find_nodes(&head) == vec![chain[0].node_id()]).await;
    assert_eq!(at_limit.capabilities_of(chain[0].node_id()).unwrap().hops, MAX_CAPABILITY_HOPS);
    // The node one link further never does: its neighbour does not forward
    // hop count 16. Node 1's announcement reaching it proves the chain works.
    chain[1].announce_capabilities(CapabilitySet::new().add_tag("second")).await.unwrap();
    let beyond = chain.last().unwrap();
    wait_for("the last node learns node 1", || beyond.find_nodes(&CapabilityFilter::new().require_tag("second")).len() == 1).await;
    assert!(beyond.find_nodes(&head).is_empty());
    for m in chain {
        m.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_typed_errors() {
    let a = start(builder(70)).await;
    let kind = |r: net_sdk::Result<()>| r.unwrap_err().kind();
    assert_eq!(kind(a.announce_capabilities(CapabilitySet::new().add_tag("hardwre.gpu")).await), "invalid_capabilities");
    assert_eq!(kind(a.announce_capabilities(CapabilitySet::new().add_tag("hardware.memory_gb=lots")).await), "invalid_capabilities");
    let big = CapabilitySet::new().with_metadata("blob", "x".repeat(4096));
    assert_eq!(kind(a.announce_capabilities(big).await), "invalid_capabilities");
    assert!(a.find_nodes(&CapabilityFilter::new()).is_empty(), "a refused set is not indexed");
    let b = start(builder(71)).await;
    link(&a, &b).await;
    let err = a.open_stream(b.node_id(), CAPABILITY_STREAM, StreamConfig::new()).unwrap_err();
    assert_eq!(err.kind(), "invalid_argument");
    a.shutdown().await.unwrap();
    assert_eq!(kind(a.announce_capabilities(CapabilitySet::new()).await), "closed");
    b.shutdown().await.unwrap();
}
