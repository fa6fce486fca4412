//! The MeshOS daemon SDK: a daemon's whole lifecycle, control events of
//! every kind in order, the bounded channels and rings and their counters,
//! logs, metadata, backpressure from saturation, shutdown semantics, and
//! published tags reaching a peer's `find_nodes` across two real nodes.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use net_sdk::capabilities::CapabilityFilter;
use net_sdk::mesh::{Mesh, MeshBuilder};
use net_sdk::meshos::*;
use parking_lot::Mutex;

const WAIT: Option<Duration> = Some(Duration::from_secs(10));

/// Counts events; remembers every control event it was told; reports the
/// saturation the test sets.
pub(crate) struct Counter {
    count: u64,
    pub(crate) controls: Arc<Mutex<Vec<DaemonControl>>>,
    saturation: Arc<AtomicU32>,
    pub(crate) required: CapabilitySet,
}

/// An SDK on a node without a network.
pub(crate) fn local_sdk(config: MeshOsConfig) -> MeshOsDaemonSdk {
    MeshOsDaemonSdk::start(config, Arc::new(LocalDispatcher::new()))
}

impl Counter {
    pub(crate) fn new() -> Self {
        Counter {
            count: 0,
            controls: Arc::default(),
            saturation: Arc::new(AtomicU32::new(0f32.to_bits())),
            required: CapabilitySet::new(),
        }
    }
}

impl MeshDaemon for Counter {
    fn name(&self) -> &str {
        "counter"
    }
    fn requirements(&self) -> CapabilityFilter {
        CapabilityFilter::default()
    }
    fn process(&mut self, e: &CausalEvent) -> Result<Vec<Bytes>, DaemonError> {
        if e.payload.as_ref() == b"fail" {
            return Err(DaemonError::process("asked to fail"));
        }
        self.count += 1;
        Ok(vec![Bytes::copy_from_slice(&self.count.to_le_bytes())])
    }
    fn snapshot(&self) -> Option<Bytes> {
        Some(Bytes::copy_from_slice(&self.count.to_le_bytes()))
    }
    fn restore(&mut self, state: Bytes) -> Result<(), DaemonError> {
        let raw: [u8; 8] = state.as_ref().try_into().map_err(|_| DaemonError::Restore("not 8 bytes".into()))?;
        self.count = u64::from_le_bytes(raw);
        Ok(())
    }
    fn on_control(&mut self, c: &DaemonControl) {
        self.controls.lock().push(*c);
    }
    fn saturation(&self) -> f32 {
        f32::from_bits(self.saturation.load(Ordering::Relaxed))
    }
    fn required_capabilities(&self) -> CapabilitySet {
        self.required.clone()
    }
}

fn event(n: u64, payload: &'static [u8]) -> CausalEvent {
    CausalEvent::new(0xfeed, n, Bytes::from_static(payload))
}

fn count_of(out: &[Bytes]) -> u64 {
    u64::from_le_bytes(out[0].as_ref().try_into().unwrap())
}

#[test]
fn a_daemon_runs_its_whole_lifecycle_and_restores_its_state() {
    let sdk = local_sdk(MeshOsConfig::default());
    let key = EntityKeypair::from_seed([7; 32]);
    let handle = sdk.register_daemon(Box::new(Counter::new()), key.clone()).unwrap();
    assert_eq!(handle.daemon_id(), key.origin_hash());
    assert_eq!(handle.daemon_name(), "counter");
    let rt = sdk.runtime();
    for n in 1..=3 {
        assert_eq!(count_of(&rt.deliver_payloads(handle.daemon_id(), &event(n, b"x")).unwrap()), n);
    }
    let err = rt.deliver_payloads(handle.daemon_id(), &event(4, b"fail")).unwrap_err();
    assert_eq!(err.kind(), "process-failed");
    let snap = rt.snapshot(handle.daemon_id()).unwrap().expect("stateful");
    for n in 4..=6 {
        rt.deliver_payloads(handle.daemon_id(), &event(n, b"x")).unwrap();
    }
    rt.restore(handle.daemon_id(), &snap).unwrap();
    assert_eq!(count_of(&rt.deliver_payloads(handle.daemon_id(), &event(7, b"x")).unwrap()), 4, "back to 3, then one");
    let stats = rt.stats(handle.daemon_id()).unwrap();
    assert_eq!((stats.events_processed, stats.errors, stats.snapshots_taken), (8, 1, 1));

    handle.graceful_shutdown_blocking(Duration::from_millis(5)).unwrap();
    assert_eq!(rt.daemon_count(), 0, "a graceful shutdown unregisters the daemon");
    assert_eq!(handle.daemon_id(), key.origin_hash(), "the id outlives the shutdown");
    let again = handle.graceful_shutdown_blocking(Duration::from_millis(5)).unwrap_err();
    assert_eq!(again.kind(), MeshOsErrorKind::AlreadyShutdown);
    assert_eq!(handle.metadata().unwrap_err().kind(), MeshOsErrorKind::AlreadyShutdown);
    assert_eq!(handle.publish_log(LogLevel::Info, "late").unwrap_err().kind(), MeshOsErrorKind::AlreadyShutdown);
    assert_eq!(handle.try_next_control(), None);
    sdk.shutdown_now().unwrap();
    assert_eq!(sdk.shutdown_now().unwrap_err().kind(), MeshOsErrorKind::AlreadyShutdown);
}

#[test]
fn control_events_of_every_kind_arrive_in_order_at_on_control_and_on_the_channel() {
    let sdk = local_sdk(MeshOsConfig { control_capacity: 16, ..MeshOsConfig::default() });
    let daemon = Counter::new();
    let seen = daemon.controls.clone();
    let handle = sdk.register_daemon(Box::new(daemon), EntityKeypair::generate()).unwrap();
    let sent = [
        DaemonControl::DrainStart { grace_period: Duration::from_millis(250) },
        DaemonControl::BackpressureOn { level: 0.75 },
        DaemonControl::BackpressureOff,
        DaemonControl::DrainFinish,
        DaemonControl::Unknown,
        DaemonControl::Shutdown { grace_period: Duration::from_secs(3) },
    ];
    for c in sent {
        sdk.route_control(handle.daemon_id(), c).unwrap();
    }
    let got: Vec<_> = (0..sent.len()).map(|_| handle.next_control_blocking(WAIT).expect("in time")).collect();
    assert_eq!(got, sent);
    assert_eq!(*seen.lock(), sent, "on_control saw them first, in the same order");
    assert_eq!(handle.try_next_control(), None);
    assert_eq!(sdk.dropped_control_events(), 0);
    let unknown = sdk.route_control(12345, DaemonControl::DrainFinish).unwrap_err();
    assert_eq!(unknown.kind(), MeshOsErrorKind::InvalidArgument);
}

#[test]
fn a_full_control_channel_drops_and_counts_and_a_wait_times_out() {
    let sdk = local_sdk(MeshOsConfig { control_capacity: 2, ..MeshOsConfig::default() });
    let daemon = Counter::new();
    let seen = daemon.controls.clone();
    let handle = sdk.register_daemon(Box::new(daemon), EntityKeypair::generate()).unwrap();
    for _ in 0..5 {
        sdk.route_control(handle.daemon_id(), DaemonControl::DrainFinish).unwrap();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while seen.lock().len() < 5 {
        assert!(std::time::Instant::now() < deadline, "the supervisor routed all five");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(sdk.dropped_control_events(), 3);
    assert!(handle.try_next_control().is_some());
    assert!(handle.try_next_control().is_some());
    assert_eq!(handle.next_control_blocking(Some(Duration::from_millis(30))), None, "a timeout is None");
}

#[tokio::test]
async fn the_async_channel_ends_when_the_sdk_shuts_down() {
    let sdk = local_sdk(MeshOsConfig::default());
    let handle = sdk.register_daemon(Box::new(Counter::new()), EntityKeypair::generate()).unwrap();
    sdk.route_control(handle.daemon_id(), DaemonControl::BackpressureOff).unwrap();
    assert_eq!(handle.next_control().await, Some(DaemonControl::BackpressureOff));
    let waiter = tokio::spawn(async move { (handle.next_control().await, handle) });
    tokio::time::sleep(Duration::from_millis(20)).await;
    sdk.shutdown().await.unwrap();
    let (last, handle) = waiter.await.unwrap();
    assert_eq!(last, None);
    assert_eq!(handle.publish_log(LogLevel::Warn, "after").unwrap_err().kind(), MeshOsErrorKind::LoopClosed);
    let refused = sdk.register_daemon(Box::new(Counter::new()), EntityKeypair::generate()).unwrap_err();
    assert_eq!(refused.kind(), MeshOsErrorKind::AlreadyShutdown);
    assert_eq!(sdk.route_control(handle.daemon_id(), DaemonControl::DrainFinish).unwrap_err().kind(), MeshOsErrorKind::LoopClosed);
}

#[test]
fn logs_keep_level_and_order_and_a_full_ring_refuses() {
    let sdk = local_sdk(MeshOsConfig { event_queue_capacity: 5, ..MeshOsConfig::default() });
    let handle = sdk.register_daemon(Box::new(Counter::new()), EntityKeypair::generate()).unwrap();
    let levels = [LogLevel::Trace, LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error];
    for (i, l) in levels.iter().enumerate() {
        assert_eq!(LogLevel::from_i32(i as i32).unwrap(), *l);
        handle.publish_log(*l, format!("line {i}")).unwrap();
    }
    let full = handle.publish_log(LogLevel::Info, "one too many").unwrap_err();
    assert_eq!(full.kind(), MeshOsErrorKind::QueueFull);
    assert!(full.to_string().starts_with("<<meshos-sdk-kind:queue_full>>"));
    let logs = sdk.drain_logs();
    assert_eq!(logs.iter().map(|r| r.level).collect::<Vec<_>>(), levels);
    assert!(logs.iter().all(|r| r.daemon_id == handle.daemon_id() && r.daemon_name == "counter"));
    assert_eq!(logs[4].message, "line 4");
    handle.publish_log(LogLevel::Info, "room again").unwrap();
    assert_eq!(LogLevel::from_i32(5).unwrap_err().kind(), MeshOsErrorKind::InvalidLogLevel);
    assert_eq!(LogLevel::from_i32(-1).unwrap_err().kind(), MeshOsErrorKind::InvalidLogLevel);
}

#[test]
fn registration_refuses_a_taken_identity_and_a_missing_capability() {
    let sdk = local_sdk(MeshOsConfig::default());
    let key = EntityKeypair::from_seed([9; 32]);
    let _h = sdk.register_daemon(Box::new(Counter::new()), key.clone()).unwrap();
    let taken = sdk.register_daemon(Box::new(Counter::new()), key).unwrap_err();
    assert_eq!(taken.kind(), MeshOsErrorKind::RegisterFailed);
    let mut needy = Counter::new();
    needy.required = CapabilitySet::new().add_tag("hardware.gpu");
    let missing = sdk.register_daemon(Box::new(needy), EntityKeypair::generate()).unwrap_err();
    assert_eq!(missing.kind(), MeshOsErrorKind::RegisterFailed);
    assert!(missing.message().contains("hardware.gpu"), "{missing}");
}

#[test]
fn saturation_turns_into_backpressure_with_hysteresis() {
    let sdk = local_sdk(MeshOsConfig { tick_interval: Duration::from_millis(5), ..MeshOsConfig::default() });
    let daemon = Counter::new();
    let saturation = daemon.saturation.clone();
    let handle = sdk.register_daemon(Box::new(daemon), EntityKeypair::generate()).unwrap();
    saturation.store(0.9f32.to_bits(), Ordering::Relaxed);
    assert_eq!(handle.next_control_blocking(WAIT), Some(DaemonControl::BackpressureOn { level: 0.9 }));
    saturation.store(0.6f32.to_bits(), Ordering::Relaxed);
    assert_eq!(handle.next_control_blocking(Some(Duration::from_millis(60))), None, "0.6 is inside the band");
    saturation.store(0.1f32.to_bits(), Ordering::Relaxed);
    assert_eq!(handle.next_control_blocking(WAIT), Some(DaemonControl::BackpressureOff));
    let meta = handle.refresh_metadata().unwrap();
    assert!(meta.saturation <= 0.6);
}

#[test]
fn metadata_renders_the_documented_json() {
    let sdk = local_sdk(MeshOsConfig { this_node: 77, ..MeshOsConfig::default() });
    let handle = sdk.register_daemon(Box::new(Counter::new()), EntityKeypair::generate()).unwrap();
    handle.publish_capabilities(CapabilitySet::new().add_tag("model:llama3")).unwrap();
    let bad = handle.publish_capabilities(CapabilitySet::new().add_tag("software.nonsense=1")).unwrap_err();
    assert_eq!(bad.kind(), MeshOsErrorKind::InvalidArgument, "{bad}");
    let json: serde_json::Value = serde_json::from_str(&handle.metadata().unwrap().to_json()).unwrap();
    assert_eq!(json["node_id"], 77);
    assert_eq!(json["daemon_id"], handle.daemon_id());
    assert_eq!(json["daemon_name"], "counter");
    assert_eq!(json["maintenance_state"]["kind"], "active");
    assert_eq!(json["health"], "healthy");
    assert_eq!(json["capabilities"][0], "model:llama3");
    assert_eq!(json["peers"], serde_json::json!([]));
}

const PSK: [u8; 32] = [0x24; 32];

async fn node(seed: u8) -> Arc<Mesh> {
    let m = MeshBuilder::new("127.0.0.1:0", &PSK)
        .unwrap()
        .identity(EntityKeypair::from_seed([seed; 32]))
        .min_announce_interval(Duration::from_millis(20))
        .build()
        .await
        .unwrap();
    m.start().unwrap();
    Arc::new(m)
}

async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let end = tokio::time::Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(tokio::time::Instant::now() < end, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_a_daemon_publishes_are_found_by_a_peer_and_withdrawn_at_its_shutdown() {
    let (a, b) = (node(31).await, node(32).await);
    let (ra, rb) = tokio::join!(a.connect(b.local_addr(), b.public_key(), b.node_id()), b.accept(a.node_id()));
    ra.unwrap();
    rb.unwrap();
    a.announce_capabilities(CapabilitySet::new().add_tag("base")).await.unwrap();
    let sdk = MeshOsDaemonSdk::start(MeshOsConfig::default(), a.clone());
    let handle = sdk.register_daemon(Box::new(Counter::new()), EntityKeypair::generate()).unwrap();
    handle.publish_capabilities(CapabilitySet::new().add_tag("hardware.gpu").add_tag("model:llama3")).unwrap();

    let gpu = CapabilityFilter::new().require_tag("hardware.gpu");
    wait_for("B finds A by the daemon's tag", || b.find_nodes(&gpu) == vec![a.node_id()]).await;
    let base = CapabilityFilter::new().require_tag("base");
    assert_eq!(b.find_nodes(&base), vec![a.node_id()], "the node's own tags stay in the announcement");
    let meta = handle.refresh_metadata().unwrap();
    assert_eq!(meta.node_id, a.node_id());
    assert_eq!(meta.peers.len(), 1);
    assert_eq!(meta.peers[0].node_id, b.node_id());

    // A daemon on A that requires the published tag may now be registered.
    let mut needy = Counter::new();
    needy.required = CapabilitySet::new().add_tag("hardware.gpu");
    let second = sdk.register_daemon(Box::new(needy), EntityKeypair::generate()).unwrap();
    drop(second);

    let bad = handle.publish_capabilities(CapabilitySet::new().add_tag("")).unwrap_err();
    assert_eq!(bad.kind(), MeshOsErrorKind::InvalidArgument, "{bad}");
    handle.graceful_shutdown(Duration::from_millis(5)).await.unwrap();
    wait_for("B no longer finds A by the withdrawn tag", || b.find_nodes(&gpu).is_empty()).await;
    assert_eq!(b.find_nodes(&base), vec![a.node_id()]);
    sdk.shutdown().await.unwrap();
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}
